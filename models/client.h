#pragma once
#include "models/registry.h"

namespace archsim {
class Runtime;
const ModelSpec& client_spec();
// Starts the actors that generate one request class's requests.
void start_client(Runtime& rt, const RequestClassSpec& rc, size_t class_index);
}  // namespace archsim
