// No Foundation, no argument parser: the Swift runtime and the standard library only.
import CGitFloor
import Glibc

exit(git_floor_main(CommandLine.argc, CommandLine.unsafeArgv))
