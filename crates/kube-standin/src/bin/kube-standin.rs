//! `kube-standin --dir D --kubeconfig OUT [--page-size N] [--for SECS]`:
//! serves the recorded cluster in D, writes a kubeconfig for it to OUT,
//! prints the URL, and serves until SECS pass (600 by default) or it gets
//! SIGTERM or SIGINT. For benchmarks against a cluster-sized recording.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use kube_standin::{StandIn, StandInOptions};

const USAGE: &str = "usage: kube-standin --dir DIR --kubeconfig OUT [--page-size N] [--for SECS]";

struct Args {
    dir: PathBuf,
    kubeconfig: PathBuf,
    page_size: Option<usize>,
    serve_for: Duration,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut dir, mut kubeconfig, mut page_size, mut serve_for) = (None, None, None, Duration::from_secs(600));
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--dir" => dir = Some(PathBuf::from(value()?)),
            "--kubeconfig" => kubeconfig = Some(PathBuf::from(value()?)),
            "--page-size" => {
                let v = value()?;
                page_size = Some(v.parse().map_err(|_| format!("--page-size {v:?}: not a whole number"))?);
            }
            "--for" => {
                let v = value()?;
                serve_for =
                    Duration::from_secs(v.parse().map_err(|_| format!("--for {v:?}: not a number of seconds"))?);
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args {
        dir: dir.ok_or("--dir is required")?,
        kubeconfig: kubeconfig.ok_or("--kubeconfig is required")?,
        page_size,
        serve_for,
    })
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("error: {why}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let standin = match StandIn::start(&args.dir, StandInOptions { page_size: args.page_size, ..Default::default() }) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = standin.write_kubeconfig(&args.kubeconfig, "kube-standin") {
        eprintln!("error: cannot write {}: {e}", args.kubeconfig.display());
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async {
        // The handlers are in place before the URL is printed: whoever
        // reads the URL may send SIGTERM at once.
        let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
        println!("{}", standin.url());
        match term {
            Ok(mut term) => tokio::select! {
                _ = tokio::time::sleep(args.serve_for) => {}
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            },
            Err(_) => tokio::time::sleep(args.serve_for).await,
        }
    });
    drop(standin);
    ExitCode::SUCCESS
}
