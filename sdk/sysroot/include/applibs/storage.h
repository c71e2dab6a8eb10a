/* sphere-sdk applibs: image-package files and the per-app mutable storage file.
   Capability for mutable storage: "MutableStorage": { "SizeKB": N }. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/// Returns a malloc'd absolute path of relativePath inside the app's image package (the caller frees it),
/// or NULL with errno: EINVAL (path starts with '/' or '.', or contains ".."), EFAULT (NULL), ENOMEM.
char *Storage_GetAbsolutePathInImagePackage(const char *relativePath);

/// Opens a file of the image package read-only. Returns an fd, or -1 with errno (EINVAL, EFAULT, ENOENT...).
int Storage_OpenFileInImagePackage(const char *relativePath);

/// Opens (creating it if needed) the app's mutable storage file read/write. Returns an fd, or -1 with errno:
/// EACCES (no MutableStorage capability), EIO.
int Storage_OpenMutableFile(void);

/// Deletes the app's mutable storage file. Returns 0, or -1 with errno: EACCES, EIO, ENOENT.
int Storage_DeleteMutableFile(void);

#ifdef __cplusplus
}
#endif
