/* sphere-sdk applibs: deprecation / obsoletion markers used by the applibs headers. */
#pragma once

#ifndef _AZSPHERE_DEPRECATED_BY
#ifdef _AZSPHERE_USE_DEPRECATED_API
#define _AZSPHERE_DEPRECATED_BY(replacement)
#else
#define _AZSPHERE_DEPRECATED_BY(replacement) \
    __attribute__((deprecated("This function or variable is deprecated. Please use '" #replacement "' instead.")))
#endif
#endif

#ifndef _AZSPHERE_OBSOLETED_BY
#ifdef _AZSPHERE_USE_OBSOLETE_API
#define _AZSPHERE_OBSOLETED_BY(replacement)
#else
#define _AZSPHERE_OBSOLETED_BY(replacement) \
    __attribute__((error("This function or variable is obsolete. Please use '" #replacement "' instead.")))
#endif
#endif
