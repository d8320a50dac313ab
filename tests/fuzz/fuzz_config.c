/* Fuzz target: arbitrary bytes through the whole configuration loader, the
 * YAML parser and the checks of the top-level keys. Built as a libFuzzer
 * binary with ./configure --enable-fuzzing (clang), and linked with
 * replay.c into replay_config, which make check runs over the corpus. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "../../config/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[1024];

	config_load_buffer("fuzz.yaml", (const char *)data, size, &c, err, sizeof(err));
	config_free(&c);
	return 0;
}
