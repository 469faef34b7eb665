/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_VERSION_H
#define SESAME_VERSION_H

/**
 * @file sesame/version.h
 * @brief Version of the headers and of the library in use.
 */

#include "common.h"

#define SESAME_VERSION_MAJOR 0
#define SESAME_VERSION_MINOR 1
#define SESAME_VERSION_PATCH 0
#define SESAME_VERSION_STRING "0.1.0"

SESAME_BEGIN_DECL

/** Returns the library's semantic version, e.g. "0.1.0" (static string). */
SESAME_EXTERN(const char *) sesame_version(void);

/**
 * Initialises libsesame (libsodium underneath). Safe to call more than
 * once and from several threads. Every other call initialises on demand,
 * so calling this is optional; it lets a program fail early.
 * @return 0, or SESAME_ERROR if no secure random source is available.
 */
SESAME_EXTERN(int) sesame_init(void);

SESAME_END_DECL

#endif
