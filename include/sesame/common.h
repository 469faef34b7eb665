/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_COMMON_H
#define SESAME_COMMON_H

/**
 * @file sesame/common.h
 * @brief Export and attribute macros shared by every public header.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define SESAME_BEGIN_DECL extern "C" {
#define SESAME_END_DECL }
#else
#define SESAME_BEGIN_DECL
#define SESAME_END_DECL
#endif

/** Marks a function as part of libsesame's public ABI. */
#if defined(__GNUC__) || defined(__clang__)
#define SESAME_EXTERN(type) __attribute__((visibility("default"))) type
#define SESAME_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define SESAME_EXTERN(type) type
#define SESAME_WARN_UNUSED
#endif

#endif
