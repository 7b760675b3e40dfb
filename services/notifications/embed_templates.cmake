# Turns every deploy/templates/<lang>/<id>.txt into a C string of the table
# ntf_embedded_templates (name "<lang>/<id>.txt"), so a binary carries the
# templates it was built with: a service started from any directory, with any
# profile directory, finds them; template_dir overrides them at run time.
file(GLOB template_files RELATIVE ${DIR} ${DIR}/*/*.txt)
list(SORT template_files)
set(content "/* Generated from deploy/templates by embed_templates.cmake. Do not edit. */\n#include <stddef.h>\n")
set(table "")
set(index 0)
foreach(name IN LISTS template_files)
  file(READ ${DIR}/${name} body HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${body}")
  string(APPEND content "static const char s_t${index}[] = {${body}0x00};\n")
  string(APPEND table "    {\"${name}\", s_t${index}},\n")
  math(EXPR index "${index} + 1")
endforeach()
string(APPEND content "typedef struct { const char *name; const char *text; } ntf_embedded_template_t;\n")
string(APPEND content "const ntf_embedded_template_t ntf_embedded_templates[] = {\n${table}    {NULL, NULL},\n};\n")
file(WRITE ${OUT}.tmp "${content}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
