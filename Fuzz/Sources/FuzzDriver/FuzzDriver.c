// The driver is declared in include/FuzzDriver.h; a C target needs one source file.
#include "FuzzDriver.h"
