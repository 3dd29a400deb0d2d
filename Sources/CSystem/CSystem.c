#define _GNU_SOURCE
#include "CSystem.h"

short csystem_spawn_setsid_flag(void) { return POSIX_SPAWN_SETSID; }

int csystem_spawn_add_close_from(posix_spawn_file_actions_t *actions, int lowest) {
  return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

int csystem_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *directory) {
  return posix_spawn_file_actions_addchdir_np(actions, directory);
}
