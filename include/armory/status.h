// Errors as values: every fallible armory call returns a Status or a Result<T>.
// The library never aborts or exits the host process; a failure carries a message a user can act on.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace armory {

enum class Errc {
  ok = 0,
  invalid_argument,  // the caller passed something wrong (size, pointer, name)
  unsupported,       // valid request, but this CPU/build/model cannot do it
  not_found,         // a file, library or entry that should exist does not
  io_error,          // reading or writing failed
  parse_error,       // malformed input (a file, a model, a variable)
  internal,          // a bug in armory: please report it
  out_of_memory,     // an allocation the request needs failed
};

const char* errc_name(Errc code) noexcept;

class Status {
 public:
  Status() = default;  // ok
  Status(Errc code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const noexcept { return code_ == Errc::ok; }
  explicit operator bool() const noexcept { return ok(); }
  Errc code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }

 private:
  Errc code_ = Errc::ok;
  std::string message_;
};

inline Status error(Errc code, std::string message) { return Status(code, std::move(message)); }

// A value or the Status explaining why there is none. Deliberately small: ok(), value(), status().
template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}                  // NOLINT: implicit on purpose
  Result(Status failure) : state_(std::move(failure)) {}          // NOLINT: implicit on purpose

  bool ok() const noexcept { return std::holds_alternative<T>(state_); }
  explicit operator bool() const noexcept { return ok(); }

  // Precondition: ok(). Callers check first; this is not an exception-based API.
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }

 private:
  std::variant<T, Status> state_;
};

}  // namespace armory
