#ifndef FUNCTIONS_CSYSTEM_H
#define FUNCTIONS_CSYSTEM_H

#include <spawn.h>

/// The glibc flag that makes posix_spawn start the child in a new session (setsid).
/// Swift does not see it because glibc declares it only under _GNU_SOURCE.
short csystem_spawn_setsid_flag(void);

/// Adds "close every descriptor from `lowest` up" to the file actions, so a spawned child inherits only
/// its standard streams. Returns 0 or an errno value.
int csystem_spawn_add_close_from(posix_spawn_file_actions_t *actions, int lowest);

/// Adds "change to `directory`" to the file actions, so the child starts there. Returns 0 or an errno value.
int csystem_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *directory);

#endif
