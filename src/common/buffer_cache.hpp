// Large buffers kept from one fit to the next.
//
// A fit's large buffers (the held frame, its lane tiles, k-means++'s kept
// distances) are megabytes, which glibc's malloc serves with fresh pages from
// the kernel and hands back when they are freed. Every first touch of such a
// page then faults: 3000 x 100 float32 rows took ~560 page faults per fit,
// more than half of a 10-iteration fit (~1 ms against ~0.45 ms in a loop).
// Whether malloc keeps the memory depends on its trim heuristics and on what
// else the process allocated. So freed buffers of kCachedFromBytes or more are
// kept here (at most kCachedBytes in all, the most recent first) and handed
// out again for a request of exactly the same size, as a repeated fit on the
// same data makes. Thread-safe.
#pragma once

#include <cstddef>

namespace centrix::detail {

/// Buffers from this size on go through the cache.
inline constexpr std::size_t kCachedFromBytes = std::size_t{256} << 10;
/// The most the cache keeps, in all; larger buffers are freed at once.
inline constexpr std::size_t kCachedBytes = std::size_t{64} << 20;

/// `bytes` of memory aligned to 64 bytes: a kept buffer of exactly that size if there is one.
void* cached_allocate(std::size_t bytes);
/// Gives back a buffer from cached_allocate(bytes): kept if it fits in the cache, else freed.
void cached_release(void* buffer, std::size_t bytes) noexcept;
/// Bytes the cache keeps now (for tests).
std::size_t cached_bytes_kept() noexcept;

}  // namespace centrix::detail
