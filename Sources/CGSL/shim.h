#ifndef CGSL_SHIM_H
#define CGSL_SHIM_H

/*
 * The GSL headers that FineTuneSim's Fitting module uses. Only Sources/Fitting
 * imports CGSL; everything else goes through Fitting's Swift API.
 */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

/*
 * GSL exposes algorithm descriptors as mutable C globals (GSL_VAR const T *name).
 * Swift 6 imports them as `var` and rejects every reference as not
 * concurrency-safe, so Swift reaches them only through these accessors.
 */
static inline const gsl_multifit_nlinear_type *cgsl_nlinear_trust(void) { return gsl_multifit_nlinear_trust; }
static inline const gsl_multifit_nlinear_trs *cgsl_nlinear_trs_lm(void) { return gsl_multifit_nlinear_trs_lm; }
static inline const gsl_multifit_nlinear_trs *cgsl_nlinear_trs_lmaccel(void) { return gsl_multifit_nlinear_trs_lmaccel; }
static inline const gsl_multifit_nlinear_trs *cgsl_nlinear_trs_dogleg(void) { return gsl_multifit_nlinear_trs_dogleg; }
static inline const gsl_multifit_nlinear_scale *cgsl_nlinear_scale_more(void) { return gsl_multifit_nlinear_scale_more; }
static inline const gsl_multifit_nlinear_solver *cgsl_nlinear_solver_qr(void) { return gsl_multifit_nlinear_solver_qr; }

#endif
