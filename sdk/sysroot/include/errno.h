/* sphere-sdk sysroot: <errno.h> = wasi-libc's (its values: EACCES 2, EINTR 27, ...) plus the Linux names it
   lacks, so Azure Sphere code that tests them compiles. The extra values are 128 + the Linux number (they cannot
   collide with wasi-libc's 0..76); strerror() knows their Linux texts (see <string.h>). */
#ifndef __SPHERE_ERRNO_H
#define __SPHERE_ERRNO_H

#include_next <errno.h>

#define ENOTBLK 143 /* Linux 15 */
#define EDEADLOCK EDEADLK
#define ECHRNG 172 /* Linux 44 */
#define EL2NSYNC 173 /* Linux 45 */
#define EL3HLT 174 /* Linux 46 */
#define EL3RST 175 /* Linux 47 */
#define ELNRNG 176 /* Linux 48 */
#define EUNATCH 177 /* Linux 49 */
#define ENOCSI 178 /* Linux 50 */
#define EL2HLT 179 /* Linux 51 */
#define EBADE 180 /* Linux 52 */
#define EBADR 181 /* Linux 53 */
#define EXFULL 182 /* Linux 54 */
#define ENOANO 183 /* Linux 55 */
#define EBADRQC 184 /* Linux 56 */
#define EBADSLT 185 /* Linux 57 */
#define EBFONT 187 /* Linux 59 */
#define ENOSTR 188 /* Linux 60 */
#define ENODATA 189 /* Linux 61 */
#define ETIME 190 /* Linux 62 */
#define ENOSR 191 /* Linux 63 */
#define ENONET 192 /* Linux 64 */
#define ENOPKG 193 /* Linux 65 */
#define EREMOTE 194 /* Linux 66 */
#define EADV 196 /* Linux 68 */
#define ESRMNT 197 /* Linux 69 */
#define ECOMM 198 /* Linux 70 */
#define EDOTDOT 201 /* Linux 73 */
#define ENOTUNIQ 204 /* Linux 76 */
#define EBADFD 205 /* Linux 77 */
#define EREMCHG 206 /* Linux 78 */
#define ELIBACC 207 /* Linux 79 */
#define ELIBBAD 208 /* Linux 80 */
#define ELIBSCN 209 /* Linux 81 */
#define ELIBMAX 210 /* Linux 82 */
#define ELIBEXEC 211 /* Linux 83 */
#define ERESTART 213 /* Linux 85 */
#define ESTRPIPE 214 /* Linux 86 */
#define EUSERS 215 /* Linux 87 */
#define ESOCKTNOSUPPORT 222 /* Linux 94 */
#define EPFNOSUPPORT 224 /* Linux 96 */
#define ESHUTDOWN 236 /* Linux 108 */
#define ETOOMANYREFS 237 /* Linux 109 */
#define EHOSTDOWN 240 /* Linux 112 */
#define EUCLEAN 245 /* Linux 117 */
#define ENOTNAM 246 /* Linux 118 */
#define ENAVAIL 247 /* Linux 119 */
#define EISNAM 248 /* Linux 120 */
#define EREMOTEIO 249 /* Linux 121 */
#define ENOMEDIUM 251 /* Linux 123 */
#define EMEDIUMTYPE 252 /* Linux 124 */
#define ENOKEY 254 /* Linux 126 */
#define EKEYEXPIRED 255 /* Linux 127 */
#define EKEYREVOKED 256 /* Linux 128 */
#define EKEYREJECTED 257 /* Linux 129 */
#define ERFKILL 260 /* Linux 132 */
#define EHWPOISON 261 /* Linux 133 */

#endif
