#include "models/registry.h"

#include "models/batch_job.h"
#include "models/cdn_edge.h"
#include "models/client.h"
#include "models/consumer_group.h"
#include "models/coordination.h"
#include "models/external_service.h"
#include "models/kafka.h"
#include "models/kv_store.h"
#include "models/load_balancer.h"
#include "models/memcached.h"
#include "models/message_queue.h"
#include "models/object_store.h"
#include "models/push_service.h"
#include "models/queue_station.h"
#include "models/redis.h"
#include "models/scheduler.h"
#include "models/search_index.h"
#include "models/service.h"
#include "models/sql_db.h"
#include "models/sse_gateway.h"
#include "models/stream_processor.h"
#include "models/websocket_gateway.h"
#include "models/wide_column.h"

namespace archsim {

const std::vector<MetricSpec>& common_component_metrics()
{
  static const std::vector<MetricSpec> metrics{
      {"throughput", Unit::Rate, "Requests served per second, after warm-up"},
      {"latency.mean", Unit::Duration, "Mean time from arrival at the component to the response leaving it"},
      {"latency.p50", Unit::Duration, "Median of that time"},
      {"latency.p99", Unit::Duration, "99th percentile of that time"},
      {"latency.max", Unit::Duration, "Longest such time"},
      {"retries", Unit::Count, "Retried calls to this component"},
      {"timeouts", Unit::Count, "Calls to this component abandoned by a timeout"},
      {"unavailable", Unit::Count, "Calls refused because the replica was down (crashed by a fault)"},
      {"injected_failures", Unit::Count, "Calls failed by a 'fail' fault (the dependency answering errors)"},
      {"unreachable", Unit::Count, "Calls that could not reach the component through a network partition"},
  };
  return metrics;
}

const std::vector<ModelEntry>& model_registry()
{
  static const std::vector<ModelEntry> entries{
      {&client_spec, nullptr, nullptr},
      {&load_balancer_spec, &load_balancer_placement, &make_load_balancer},
      {&service_spec, &service_placement, &make_service},
      {&queue_station_spec, &queue_station_placement, &make_queue_station},
      {&redis_spec, &redis_placement, &make_redis},
      {&memcached_spec, &memcached_placement, &make_memcached},
      {&kv_store_spec, &kv_store_placement, &make_kv_store},
      {&wide_column_spec, &wide_column_placement, &make_wide_column},
      {&cdn_edge_spec, &cdn_edge_placement, &make_cdn_edge},
      {&object_store_spec, &object_store_placement, &make_object_store},
      {&search_index_spec, &search_index_placement, &make_search_index},
      {&sql_db_spec, &sql_db_placement, &make_sql_db},
      {&kafka_spec, &kafka_placement, &make_kafka},
      {&consumer_group_spec, &consumer_group_placement, &make_consumer_group},
      {&stream_processor_spec, &stream_processor_placement, &make_stream_processor},
      {&message_queue_spec, &message_queue_placement, &make_message_queue},
      {&batch_job_spec, &batch_job_placement, &make_batch_job},
      {&scheduler_spec, &scheduler_placement, &make_scheduler},
      {&websocket_gateway_spec, &websocket_gateway_placement, &make_websocket_gateway},
      {&sse_gateway_spec, &sse_gateway_placement, &make_sse_gateway},
      {&push_service_spec, &push_service_placement, &make_push_service},
      {&external_service_spec, &external_service_placement, &make_external_service},
      {&coordination_spec, &coordination_placement, &make_coordination},
  };
  return entries;
}

const ModelEntry* find_model(const std::string& name)
{
  for (const auto& e : model_registry())
    if (e.spec().name == name)
      return &e;
  return nullptr;
}

const ModelCatalog& model_catalog()
{
  // Every placed model also has the metrics the runtime records for all components.
  static const std::vector<ModelSpec> specs = [] {
    std::vector<ModelSpec> out;
    for (const auto& e : model_registry()) {
      ModelSpec s = e.spec();
      if (e.placement)
        s.replica_count = [place = e.placement](const ParamValues& p) { return place(p).replicas; };
      if (s.placed)
        for (const auto& m : common_component_metrics())
          if (!s.has_metric(m.name))
            s.metrics.push_back(m);
      out.push_back(std::move(s));
    }
    return out;
  }();
  static const ModelCatalog catalog = [] {
    ModelCatalog c;
    for (const auto& s : specs)
      c.models.push_back(&s);
    return c;
  }();
  return catalog;
}

}  // namespace archsim
