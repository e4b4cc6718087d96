// websocket_gateway: WebSocket servers holding the clients' long-lived, two-way connections
// (chat, live comments, collaborative editing, notifications).
//
// Keeps (models/gateway_server.cpp has the whole story): connections as state with memory per
// connection against each host's memory, one event loop per core writing each message to every
// viewer of its channel (CPU per connection and per byte, so delivery grows with the audience),
// ping frames per connection, cross-host fan-out directly or through a pub/sub component,
// client messages read over the connection (`send`), and after a host crash a reconnect storm
// with jittered backoff in which clients miss what was broadcast while they were away (a
// WebSocket has no resume of its own). Abstracts away: TLS, permessage-deflate, slow readers,
// presence, the application protocol on top.
#include "models/websocket_gateway.h"

#include "models/gateway_server.h"

namespace archsim {

namespace {
const GatewayFlavour& flavour()
{
  static const GatewayFlavour f = [] {
    GatewayFlavour g;
    g.model            = "websocket_gateway";
    g.two_way          = true;
    g.frame            = "4B";
    g.frame_source     = "RFC 6455 s5.2 (not in reference-figures.md): a server frame has a 2-byte header up to "
                         "125 B of payload and 4 bytes up to 64 KiB, unmasked";
    g.heartbeat        = "25s";
    g.heartbeat_source = "estimate, not in reference-figures.md: Socket.IO's default pingInterval is 25 s";
    g.reconnect        = "{dist: uniform, min: 500ms, max: 1500ms}";
    g.reconnect_source = "estimate, not in reference-figures.md: Socket.IO client reconnectionDelay 1 s with "
                         "randomizationFactor 0.5";
    g.replay           = "0";
    g.replay_source    = "a WebSocket has no resume of its own: what is missed while away is lost unless the "
                         "application keeps a log";
    return g;
  }();
  return f;
}
}  // namespace

const ModelSpec& websocket_gateway_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name       = "websocket_gateway";
    s.summary    = "WebSocket servers: long-lived two-way connections, channel broadcast, cross-host fan-out, "
                   "reconnect storms";
    s.keeps      = "connections as state with memory per connection against host memory; one event loop per core "
                   "writing each message to every viewer (CPU per connection and byte: delivery grows with the "
                   "audience); pings per connection; cross-host relay direct or via pub/sub; client messages over "
                   "the connection; reconnects with jittered backoff after a crash, missed messages counted";
    s.abstracts  = "TLS, compression, slow readers, presence, the application protocol";
    s.params     = gateway_params(flavour());
    s.metrics    = gateway_metrics();
    s.operations = gateway_operations(flavour());
    return s;
  }();
  return spec;
}

Placement websocket_gateway_placement(const ParamValues& params) { return gateway_placement(params); }

std::unique_ptr<Component> make_websocket_gateway(Runtime& rt, const ComponentSpec& spec)
{
  return make_gateway(rt, spec, flavour());
}

}  // namespace archsim
