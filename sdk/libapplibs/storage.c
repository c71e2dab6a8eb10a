/* sphere-sdk libapplibs: image-package files and mutable storage. */
#include <stdbool.h>
#include <stdlib.h>

#include <applibs/storage.h>

#include "internal.h"

/* EINVAL for paths that start with '/' or '.', or contain a ".." component; EFAULT for NULL. */
static int CheckRelativePath(const char *relativePath)
{
    if (relativePath == NULL) {
        errno = EFAULT;
        return -1;
    }
    if (relativePath[0] == '/' || relativePath[0] == '.' || relativePath[0] == '\0') {
        errno = EINVAL;
        return -1;
    }
    for (const char *p = relativePath; *p != '\0'; p++) {
        bool componentStart = p == relativePath || p[-1] == '/';
        if (componentStart && p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0')) {
            errno = EINVAL;
            return -1;
        }
    }
    return 0;
}

SPHERE_API char *Storage_GetAbsolutePathInImagePackage(const char *relativePath)
{
    if (CheckRelativePath(relativePath) != 0) {
        return NULL;
    }
    char root[256];
    int32_t n = __applibs_storage_package_path(root, sizeof(root));
    if (n < 0 || (uint32_t)n >= sizeof(root)) {
        /* Older runtimes: the package is mounted at a fixed place. */
        strcpy(root, "/mnt/app");
        n = (int32_t)strlen(root);
    }
    root[n] = '\0';
    size_t relLength = strlen(relativePath);
    char *path = malloc((size_t)n + 1 + relLength + 1);
    if (path == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(path, root, (size_t)n);
    path[n] = '/';
    memcpy(path + n + 1, relativePath, relLength + 1);
    return path;
}

SPHERE_API int Storage_OpenFileInImagePackage(const char *relativePath)
{
    if (CheckRelativePath(relativePath) != 0) {
        return -1;
    }
    return __sphere_ret(__applibs_storage_open_in_package(relativePath, __sphere_strlen(relativePath)));
}

SPHERE_API int Storage_OpenMutableFile(void)
{
    return __sphere_ret(__applibs_storage_open_mutable());
}

SPHERE_API int Storage_DeleteMutableFile(void)
{
    return __sphere_ret(__applibs_storage_delete_mutable());
}
