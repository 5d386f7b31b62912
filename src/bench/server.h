// `armory serve`: the report as a live dashboard over the results database, its data as JSON, and
// Prometheus metrics, from a small HTTP/1.1 server (GET only, one request per connection, each connection on
// its own thread, loopback unless told otherwise). Every bad path or parameter is a 4xx with a message;
// nothing a client sends can stop it or hold up the others.
#pragma once

#include "bench/store.h"

#include <armory/status.h>

#include <cstdio>
#include <string>

namespace armory::bench {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// The routes, independent of sockets (the tests call it directly too). target: path and query.
HttpResponse handle_request(const Store& store, const std::string& method, const std::string& target);

// Prometheus text exposition format 0.0.4: the newest figures of each suite, and armory_build_info.
std::string metrics_text(const Store& store);

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string db;
};

// Serves until SIGINT or SIGTERM; an error when the address cannot be bound. Logs one line per request.
Status serve(const ServeOptions& options, std::FILE* log);

}  // namespace armory::bench
