# Turns each Lua file in SCRIPTS into `const char pacta_lua_<name>[]` in OUT,
# so services carry their scripts inside the binary (no path to look up at run
# time, the docker image needs no source tree).
set(content "/* Generated from services/common/lua by embed_lua.cmake. Do not edit. */\n")
foreach(script IN LISTS SCRIPTS)
  get_filename_component(name ${script} NAME_WE)
  file(READ ${script} body HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${body}")
  string(APPEND content "const char pacta_lua_${name}[] = {${body}0x00};\n")
endforeach()
file(WRITE ${OUT}.tmp "${content}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
