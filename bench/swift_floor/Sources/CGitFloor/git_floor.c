/* bench/git_floor.c itself, its main renamed, so both Swift floors run exactly its status. */
#include "git_floor.h"
#define main git_floor_main
#include "../../../git_floor.c"
