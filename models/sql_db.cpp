// Placeholder: replaced by the sql_db model.
#include "models/sql_db.h"

namespace archsim {

const ModelSpec& sql_db_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name    = "sql_db";
    s.summary = "PostgreSQL-like database (placeholder)";
    s.placed  = false;
    return s;
  }();
  return spec;
}

Placement sql_db_placement(const ParamValues&) { return {1, 1}; }

std::unique_ptr<Component> make_sql_db(Runtime&, const ComponentSpec&) { return nullptr; }

}  // namespace archsim
