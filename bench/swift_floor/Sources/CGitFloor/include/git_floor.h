#ifndef GIT_FLOOR_H
#define GIT_FLOOR_H
/// bench/git_floor.c's main: git_floor REPO [--workdir-only [THREADS]].
int git_floor_main(int argc, char **argv);
#endif
