//! `kubev-ha audit`: read a running cluster (or a dump of one) through
//! `kubev-ha-cluster`, judge the live facts with the audit's rules, print.
//! Only lists and gets: nothing here, nor in the reader, writes.

use kubev_ha_cluster::{ClusterError, ConnectOptions, read_cluster, read_dump};
use kubev_ha_model::{ByteSize, Facts};
use kubev_ha_report::{AuditEvidence, CommandReport, Design, Evidence, RenderOptions};
use kubev_ha_rules::{CheckOptions, audit_rules, check_and_simulate};

use super::Outcome;
use crate::cli::{AuditArgs, ColorChoice};
use crate::{output, progress, runtime};

pub fn run(args: AuditArgs, color: ColorChoice, max_input: ByteSize) -> miette::Result<Outcome> {
    // The declared design first: a bad inventory is refused before the
    // cluster is asked anything.
    let declared = args.inventory.as_deref().map(|f| super::load_to_judge(f, max_input)).transpose()?;
    let namespace = args.namespace.clone();
    let live = match &args.from_dump {
        Some(path) => read_dump(path, namespace.as_deref())?,
        None => {
            let options = ConnectOptions {
                kubeconfig: args.kubeconfig.clone(),
                context: args.context.clone(),
                namespace,
                timeout: args.timeout.as_duration(),
                request_timeout: args.request_timeout.as_duration(),
                page_size: args.page_size,
                max_in_flight: args.max_in_flight as usize,
            };
            let bar = progress::ClusterRead::new();
            // The reader keeps --timeout itself; this bound is a net under
            // it, so that no bug there can hang the command: a little
            // later, and the same error.
            let bound = options.timeout + std::time::Duration::from_secs(5);
            let runtime = runtime::runtime()?;
            let read = runtime.block_on(async {
                tokio::time::timeout(bound, read_cluster(&options, &bar))
                    .await
                    .unwrap_or(Err(ClusterError::Deadline { seconds: options.timeout.as_secs() }))
            });
            // A kubeconfig exec plugin that never returns holds a blocking
            // thread the deadline gave up on: dropping the runtime would
            // wait for it, so the runtime is left behind instead.
            runtime.shutdown_background();
            bar.finish();
            read?
        }
    };
    let evidence = AuditEvidence::of(&live);
    let nodes = live.nodes.as_ref().map(|n| n.iter().map(|n| n.name.clone()).collect()).unwrap_or_default();
    super::evidence::save(&args.save, declared.as_ref().map(|l| &l.inventory), nodes, || {
        kubev_ha_model::Measured::Cluster { live: Box::new(live.clone()) }
    })?;
    let facts = Facts::from_live(live, declared.map(|l| l.inventory));
    let (judge, show) = (args.judge, args.show);
    let (report, plan) = check_and_simulate(
        &facts,
        &CheckOptions {
            profile: judge.profile,
            waivers: judge.waive.clone(),
            only: audit_rules(),
            ..CheckOptions::default()
        },
    );
    let options = RenderOptions {
        color: output::stdout_color(color),
        width: output::width(),
        verbose: show.verbose,
        quiet: show.quiet,
        ..RenderOptions::default()
    };
    let design = Design { inventory: facts.inventory.clone(), source: facts.source_name.clone(), plan };
    output::emit(
        &CommandReport::judged("audit", report.clone(), Evidence::Audit(Box::new(evidence))).with_design(design),
        judge.format,
        args.output.output.as_deref(),
        &options,
    )?;
    Ok(super::outcome(&report, judge.strict, judge.allow_unmeasured))
}
