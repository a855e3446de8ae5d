// zlib for reading gzip-compressed traces (.json.gz). Debian: zlib1g-dev.
#include <zlib.h>
