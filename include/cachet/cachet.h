/* cachet: S/MIME for C. Umbrella header. */
#ifndef CACHET_CACHET_H
#define CACHET_CACHET_H

#define CACHET_VERSION_MAJOR 0
#define CACHET_VERSION_MINOR 1
#define CACHET_VERSION_PATCH 0
#define CACHET_VERSION_STRING "0.1.0"

#include <cachet/status.h>
#include <cachet/sink.h>
#include <cachet/report.h>
#include <cachet/smime.h>
#include <cachet/store.h>
#include <cachet/domsec.h>

#ifdef __cplusplus
extern "C" {
#endif

/* cachet_version returns the runtime library version string. */
const char *cachet_version(void);

#ifdef __cplusplus
}
#endif
#endif
