/*  =========================================================================
    pacta_jdoc - reading and writing the JSON state documents

    Design decision: lenient reads, strict writes. A document written by an
    older version may lack a field; reading it as "absent" keeps handlers
    free of null checks, while every write goes through a typed setter so
    the stored form is always the one docs/state.md describes.
    =========================================================================
*/
#include "pacta_jdoc.h"

#include <assert.h>
#include <string.h>

const char *
pacta_jdoc_str(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}

pacta_date_t
pacta_jdoc_date(const json_t *object, const char *key)
{
    const json_t *value = json_object_get(object, key);
    pacta_date_t date = PACTA_DATE_INVALID;
    if (json_is_string(value))
        pacta_date_parse(json_string_value(value), json_string_length(value), &date);
    return date;
}

int64_t
pacta_jdoc_int(const json_t *object, const char *key)
{
    const json_t *value = json_object_get(object, key);
    return json_is_integer(value) ? (int64_t) json_integer_value(value) : 0;
}

bool
pacta_jdoc_bool(const json_t *object, const char *key)
{
    return json_is_true(json_object_get(object, key));
}

int
pacta_jdoc_set_str(json_t *object, const char *key, const char *value)
{
    assert(object && key);
    return json_object_set_new(object, key, json_string(value ? value : ""));
}

int
pacta_jdoc_set_date(json_t *object, const char *key, pacta_date_t value)
{
    assert(object && key);
    if (!pacta_date_is_valid(value))
        return json_object_set_new(object, key, json_null());
    char text[PACTA_DATE_STR_LEN];
    pacta_date_format(value, text, sizeof text);
    return json_object_set_new(object, key, json_string(text));
}

int
pacta_jdoc_set_int(json_t *object, const char *key, int64_t value)
{
    assert(object && key);
    return json_object_set_new(object, key, json_integer((json_int_t) value));
}

int
pacta_jdoc_set_bool(json_t *object, const char *key, bool value)
{
    assert(object && key);
    return json_object_set_new(object, key, json_boolean(value));
}

json_t *
pacta_jdoc_array(json_t *object, const char *key)
{
    assert(object && key);
    json_t *array = json_object_get(object, key);
    if (json_is_array(array))
        return array;
    array = json_array();
    if (!array || json_object_set_new(object, key, array) != 0)
        return NULL;
    return array;
}

json_t *
pacta_jdoc_find(const json_t *array, const char *key, const char *value)
{
    size_t index;
    json_t *item;
    json_array_foreach(array, index, item) {
        const char *text = json_string_value(json_object_get(item, key));
        if (text && strcmp(text, value) == 0)
            return item;
    }
    return NULL;
}
