#include "tests/testing/metrics_text.h"

#include <vector>

#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace captoken::testing {

std::string ScrapeText(const observe::ServerMetrics& metrics) {
  std::vector<prometheus::MetricFamily> families;
  for (const auto& weak : metrics.collectables()) {
    for (auto& family : weak.lock()->Collect()) families.push_back(family);
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace captoken::testing
