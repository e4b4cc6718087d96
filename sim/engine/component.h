#pragma once
// The base of every placed model: a named component with replicas on hosts, its metrics, and
// the one entry point the flow runtime calls. A model's serve() does what happens at the
// component (queue for a thread, compute, touch its state) and calls `body` to run the steps
// nested inside a call while it still holds what it holds (a thread, a lock).
#include <functional>
#include <string>
#include <vector>

#include <simgrid/s4u.hpp>

#include "sim/core/rng.h"
#include "sim/engine/metrics.h"
#include "sim/engine/request.h"
#include "sim/scenario/scenario.h"

namespace archsim {
namespace sg4 = simgrid::s4u;
class Runtime;

using Body = std::function<Outcome()>;

class Component {
public:
  Component(Runtime& rt, const ComponentSpec& spec);
  virtual ~Component() = default;
  Component(const Component&)            = delete;
  Component& operator=(const Component&) = delete;

  const std::string& name() const { return spec_.name; }
  const ComponentSpec& spec() const { return spec_; }
  size_t replicas() const { return hosts_.size(); }
  sg4::Host* host(size_t replica) const { return hosts_[replica]; }
  ComponentMetrics& metrics() { return *metrics_; }
  // Requests currently inside each replica (arrived, response not yet sent): what
  // least-connections and power-of-two-choices balance on.
  size_t active(size_t replica) const { return active_[replica]; }

  // Which replica serves this request when no load balancer pinned one: round robin, as a
  // client-side balancer would. Sharded models override it with their key placement.
  virtual size_t choose_replica(const FlowContext& ctx);
  // Bytes of the request for this step when the model knows them (a SET carries its value);
  // -1 for the request class's default.
  virtual double request_bytes(const FlowContext&, const Step&) { return -1; }
  // What happens at the replica. `body` runs the nested steps (empty for a leaf call).
  virtual Outcome serve(FlowContext& ctx, const Step& step, size_t replica, const Body& body) = 0;
  // Called once after the run, to set end-of-run metric values.
  virtual void finish() {}

  // A fault kills the replica's process (scenario `faults:`): it answers nothing until
  // recover(), and a call that reaches it fails with "unavailable" (connection refused).
  // Models override both to lose what the real system loses (volatile state, unsynced
  // writes) and to do what a restart does (replay hints, rejoin); overrides call the base.
  // Requests already inside the replica finish: the model decides what they saw.
  virtual void crash(size_t replica) { down_[replica] = true; }
  virtual void recover(size_t replica) { down_[replica] = false; }
  bool is_down(size_t replica) const { return down_[replica]; }

  // A slow-disk fault multiplies the replica's disk waits (fsync, reads from disk). Models wait
  // for their disk through disk_wait(), so the fault reaches every model that has a disk.
  void set_disk_factor(size_t replica, double factor) { disk_factor_[replica] = factor; }
  void disk_wait(size_t replica, double seconds) const;

  // Bookkeeping done by the flow runtime around serve().
  void enter(size_t replica) { ++active_[replica]; }
  void leave(size_t replica) { --active_[replica]; }

protected:
  Runtime& rt_;
  const ComponentSpec& spec_;
  std::vector<sg4::Host*> hosts_;
  ComponentMetrics* metrics_ = nullptr;
  std::vector<size_t> active_;
  std::vector<bool> down_;
  std::vector<double> disk_factor_;
  size_t next_replica_ = 0;
};

}  // namespace archsim
