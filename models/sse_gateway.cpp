// sse_gateway: Server-Sent Events servers: long-lived one-way streams from server to clients
// (live comments, feeds, notifications); clients talk back with ordinary HTTP requests (call a
// `service` in the flow), not over the stream.
//
// Keeps (models/gateway_server.cpp has the whole story): the same connection state, event loops,
// per-connection write cost and cross-host fan-out as websocket_gateway, with what differs: text
// framing of every event (`id:` and `data:` lines, so a client can resume), keep-alive comments
// more often (proxies close idle HTTP responses), the browser's fixed reconnection time (no
// jitter: a crash makes every dropped client come back at once), and resumption with
// Last-Event-ID: the server replays from a per-channel log what the client missed while away.
// No `send`: the stream is one-way. Abstracts away: HTTP/2 multiplexing of streams, the
// per-origin connection limit of browsers (6 on HTTP/1.1), TLS, compression.
#include "models/sse_gateway.h"

#include "models/gateway_server.h"

namespace archsim {

namespace {
const GatewayFlavour& flavour()
{
  static const GatewayFlavour f = [] {
    GatewayFlavour g;
    g.model            = "sse_gateway";
    g.two_way          = false;
    g.frame            = "20B";
    g.frame_source     = "HTML Living Standard, server-sent events (not in reference-figures.md): 'id: N', 'data: ' "
                         "and the blank line around each event";
    g.heartbeat        = "15s";
    g.heartbeat_source = "estimate, not in reference-figures.md: a comment line every 15 s keeps proxies with "
                         "30-60 s idle timeouts from closing the stream";
    g.reconnect        = "3s";
    g.reconnect_source = "estimate, not in reference-figures.md: EventSource reconnects after a fixed time, a few "
                         "seconds by default (3 s in common browsers), without jitter";
    g.replay           = "100";
    g.replay_source    = "estimate: events kept per channel for Last-Event-ID resumption";
    return g;
  }();
  return f;
}
}  // namespace

const ModelSpec& sse_gateway_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name       = "sse_gateway";
    s.summary    = "Server-Sent Events servers: one-way streams, channel broadcast, cross-host fan-out, resume with "
                   "Last-Event-ID";
    s.keeps      = "connections as state with memory per connection against host memory; one event loop per core "
                   "writing each event to every viewer (CPU per connection and byte); keep-alive comments; cross-host "
                   "relay direct or via pub/sub; fixed-time reconnects after a crash with replay of missed events "
                   "from a per-channel log";
    s.abstracts  = "HTTP/2 multiplexing, browsers' per-origin connection limit, TLS, compression; client-to-server "
                   "messages (ordinary HTTP calls in the flow)";
    s.params     = gateway_params(flavour());
    s.metrics    = gateway_metrics();
    s.operations = gateway_operations(flavour());
    return s;
  }();
  return spec;
}

Placement sse_gateway_placement(const ParamValues& params) { return gateway_placement(params); }

std::unique_ptr<Component> make_sse_gateway(Runtime& rt, const ComponentSpec& spec) { return make_gateway(rt, spec, flavour()); }

}  // namespace archsim
