/* placeholder: the profiles helper writes this header; the loader API below is fixed. */
#ifndef PACTA_PROFILE_H_INCLUDED
#define PACTA_PROFILE_H_INCLUDED
#include <stddef.h>
typedef struct pacta_profile pacta_profile_t;
typedef struct pacta_profile_set pacta_profile_set_t;
pacta_profile_t *pacta_profile_load(const char *path, char *err, size_t err_size);
void pacta_profile_destroy(pacta_profile_t **self_p);
const char *pacta_profile_tenant(const pacta_profile_t *self);
pacta_profile_set_t *pacta_profile_set_load_dir(const char *dir, char *err, size_t err_size);
const pacta_profile_t *pacta_profile_set_find(const pacta_profile_set_t *self, const char *tenant);
size_t pacta_profile_set_count(const pacta_profile_set_t *self);
const pacta_profile_t *pacta_profile_set_at(const pacta_profile_set_t *self, size_t index);
void pacta_profile_set_destroy(pacta_profile_set_t **self_p);
#endif
