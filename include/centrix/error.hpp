// Exceptions thrown by Centrix. Every message is one line, meant to be shown
// to a person as it is (the CLI prints it after "error: ").
#pragma once

#include <stdexcept>
#include <string>

namespace centrix {

/// Base of every Centrix error.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A parameter or an input array is invalid (k < 1, NaN in the data, ...).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// A file could not be read or written, or its contents are malformed. The
/// message names the file, and the line and column where known.
class IoError : public Error {
 public:
  using Error::Error;
};

/// A long computation was stopped by its iteration callback.
class Cancelled : public Error {
 public:
  using Error::Error;
};

}  // namespace centrix
