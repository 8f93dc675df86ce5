//! `ucwa-conform serve`: the reference server on its own, over http or (`--tls`) https with a
//! certificate made at start.

use crate::args::ServeArgs;
use crate::exit;

/// Runs the server until Ctrl-C.
pub(crate) async fn cmd_serve(args: ServeArgs) -> i32 {
    let Some(fault) = harness_refserver::Fault::from_name(&args.fault) else {
        let names: Vec<&str> = harness_refserver::Fault::all()
            .into_iter()
            .map(harness_refserver::Fault::name)
            .collect();
        eprintln!(
            "error: no fault profile `{}` (hint: one of {})",
            args.fault,
            names.join(", ")
        );
        return exit::USAGE;
    };
    let variants = match parse_variants(&args.variants) {
        Ok(variants) => variants,
        Err(message) => {
            eprintln!("{message}");
            return exit::USAGE;
        }
    };
    let tls = match serve_identity(&args) {
        Ok(tls) => tls,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::USAGE;
        }
    };
    let config = harness_refserver::ServerConfig {
        addr: args.addr,
        control: args.control,
        windows: args.windows,
        fault,
        variants: variants.clone(),
        time_scale: args.time_scale,
        tls,
        ..harness_refserver::ServerConfig::default()
    };
    let directory = config.directory.describe();
    let server = match harness_refserver::start(config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: failed to listen on {}: {e}", args.addr);
            return exit::UNREACHABLE;
        }
    };
    say!("ucwa-conform reference server on {}", server.base_url());
    say!("discovery: {}", server.discovery_url());
    say!(
        "test-control protocol: {}",
        if args.control {
            "on (/_conform)"
        } else {
            "off (--control to offer it)"
        }
    );
    if fault != harness_refserver::Fault::None {
        say!(
            "fault profile: {} ({}): breaks {}",
            fault.name(),
            fault.kind(),
            fault.rule()
        );
    }
    for variant in &variants {
        say!("variant: {} ({})", variant.name(), variant.choice());
    }
    if args.time_scale > 1 {
        say!(
            "time scale: the clock runs {} times faster than real time (a test aid)",
            args.time_scale
        );
    }
    say!("{directory}");
    say!("Ctrl-C stops it.");
    let _ = tokio::signal::ctrl_c().await;
    server.shutdown().await;
    exit::OK
}

/// `serve --tls`: a new self-signed certificate for the names asked (written to `--tls-cert`,
/// else printed), or none.
fn serve_identity(args: &ServeArgs) -> Result<Option<harness_refserver::TlsIdentity>, String> {
    if !args.tls {
        return Ok(None);
    }
    let names = if args.tls_names.is_empty() {
        vec!["localhost".to_owned(), "127.0.0.1".to_owned()]
    } else {
        args.tls_names.clone()
    };
    let identity = harness_refserver::TlsIdentity::self_signed(&names)?;
    match &args.tls_cert {
        Some(path) => {
            std::fs::write(path, identity.cert_pem())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            say!(
                "certificate for {} written to {}",
                names.join(", "),
                path.display()
            );
        }
        None => say!(
            "certificate for {}:\n{}",
            names.join(", "),
            identity.cert_pem()
        ),
    }
    Ok(Some(identity))
}

/// `--variant` values: names, or `all`.
pub fn parse_variants(names: &[String]) -> Result<harness_refserver::Variants, String> {
    use harness_refserver::Variant;
    let mut set = harness_refserver::Variants::new();
    for name in names {
        if name == "all" {
            set.extend(Variant::all());
            continue;
        }
        match Variant::from_name(name) {
            Some(v) => {
                set.insert(v);
            }
            None => {
                let names: Vec<&str> = Variant::all().into_iter().map(Variant::name).collect();
                return Err(format!(
                    "error: no variant `{name}` (hint: `all` or one of {})",
                    names.join(", ")
                ));
            }
        }
    }
    Ok(set)
}
