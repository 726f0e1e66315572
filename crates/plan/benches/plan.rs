//! The planner at scale against the cost of just reading its input:
//! `plan()` over every single-worker and single-zone scenario, and
//! parsing the same inventory from YAML, for 100 to 5,000 workers with
//! 20 VMs per worker in 10 zones.
//!
//!     cargo bench -p kubev-ha-plan
//!
//! scripts/bench.sh runs this and records the results in BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use kubev_ha_plan::{PlanOptions, plan};
use kubev_ha_plan::{Shape, generate};

const SIZES: [u32; 5] = [100, 500, 1_000, 2_000, 5_000];

fn planner(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    group.sample_size(10).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1));
    for workers in SIZES {
        let inventory = generate(Shape { workers, zones: 10, vms: workers * 20, seed: 1 });
        group.bench_with_input(BenchmarkId::from_parameter(workers), &inventory, |b, inv| {
            b.iter(|| black_box(plan(inv, PlanOptions::default()).expect("plans")))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("parse");
    group.sample_size(10).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    for workers in SIZES {
        let inventory = generate(Shape { workers, zones: 10, vms: workers * 20, seed: 1 });
        let yaml = kubev_ha_model::to_yaml(&inventory).expect("serialises");
        group.bench_with_input(BenchmarkId::from_parameter(workers), &yaml, |b, text| {
            b.iter(|| black_box(kubev_ha_model::parse_str("bench.yaml", text).expect("parses")))
        });
    }
    group.finish();
}

criterion_group!(benches, planner);
criterion_main!(benches);
