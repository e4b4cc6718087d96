#pragma once
// The gateway shared by `websocket_gateway` and `sse_gateway` (models/gateway_server.cpp has the
// description): hosts holding long-lived connections as state, event loops that write each
// message to every viewer of a channel, cross-host fan-out, reconnects after a crash.
#include <memory>
#include <string>

#include "models/registry.h"
#include "sim/engine/component.h"

namespace archsim {

// What differs between the two protocols.
struct GatewayFlavour {
  std::string model;            // "websocket_gateway" or "sse_gateway"
  bool two_way = false;         // WebSocket: client messages over the connection (`send`)
  // Defaults in scenario syntax, with their sources.
  std::string frame, frame_source;
  std::string heartbeat, heartbeat_source;
  std::string reconnect, reconnect_source;
  std::string replay, replay_source;
};

std::vector<ParamSpec> gateway_params(const GatewayFlavour& f);
std::vector<MetricSpec> gateway_metrics();
std::vector<OperationSpec> gateway_operations(const GatewayFlavour& f);
Placement gateway_placement(const ParamValues& p);
std::unique_ptr<Component> make_gateway(Runtime& rt, const ComponentSpec& spec, const GatewayFlavour& f);

}  // namespace archsim
