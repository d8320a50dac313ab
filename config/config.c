/* placeholder until the parser lands */
#include "config.h"
