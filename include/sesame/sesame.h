/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_H
#define SESAME_H

/**
 * @file sesame/sesame.h
 * @brief Umbrella header: includes every public libsesame header.
 */

#include "client.h"
#include "common.h"
#include "errors.h"
#include "password.h"
#include "reference.h"
#include "version.h"

#endif
