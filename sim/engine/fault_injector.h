#pragma once
// Injects the scenario's `faults:` into a run: one actor per fault that sleeps until the fault's
// time, crashes the named replicas (Component::crash: the model loses what the real process
// loses) and, when the fault has a duration, restarts them (Component::recover). When each
// fault struck is recorded in MetricsRegistry::faults for the run result.
namespace archsim {
class Runtime;
void start_faults(Runtime& rt);
}  // namespace archsim
