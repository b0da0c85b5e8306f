// Everything of Centrix's public C++ API.
#pragma once

#include "centrix/datasets.hpp"
#include "centrix/error.hpp"
#include "centrix/io.hpp"
#include "centrix/kmeans.hpp"
#include "centrix/matrix_view.hpp"
#include "centrix/mean_shift.hpp"
#include "centrix/metrics.hpp"
#include "centrix/mini_batch.hpp"
#include "centrix/pca.hpp"
#include "centrix/plot.hpp"
#include "centrix/reference.hpp"
