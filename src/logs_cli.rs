//! The commands that read outcome logs: `log`, `explain`, `fork`, `diff` and `report`.
//! Every one verifies the log's hash chain first and names the first bad record.

use std::fs;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use casus::analysis::describe::{describe, significant, timeline_line};
use casus::analysis::fork::{At, Changes, ForkError};
use casus::analysis::plain::{Names, event_date, say};
use casus::analysis::query::{self, Filter};
use casus::analysis::replay::{Verdict, replay};
use casus::analysis::timeline::{self, Grouping, Line};
use casus::engine::Limits;
use casus::log::ParsedLog;
use casus::model::event::{Event, Theme};
use casus::model::text::printable;

use crate::{Fail, bad, cannot_read, check_output_dir, prepare, read_source, write_atomic};

/// A log read and verified, with where it came from.
pub struct Opened {
    /// The events.jsonl file.
    pub file: PathBuf,
    /// Its folder (where summary.json, scenario.ron and fork.json live).
    pub dir: PathBuf,
    /// The parsed log.
    pub log: ParsedLog,
}

impl Opened {
    /// The log's header.
    pub fn header(&self) -> &casus::log::Header {
        self.log.header.as_ref().expect("read_log guarantees a header")
    }

    fn start(&self) -> Result<casus::model::date::Date, Fail> {
        casus::model::date::Date::parse(&self.header().start)
            .map_err(|e| bad(format!("{}: error: the header's start date: {e}", self.file.display())))
    }

    /// The scenario source to fold or continue this log with: `--scenario`, else scenario.ron
    /// beside the log, else the embedded default.
    pub fn scenario_path(&self, given: Option<PathBuf>) -> Option<PathBuf> {
        scenario_in(&self.dir, given)
    }

    /// The standard outcomes recomputed from this log by replaying it over its scenario
    /// (scenario.ron beside it, else the embedded default): `None` when no scenario for it is
    /// at hand (a bare log, not the default's); a log that does not replay is refused (exit 1).
    fn outcomes(&self) -> Result<Option<serde_json::Value>, Fail> {
        let path = self.scenario_path(None);
        let (prepared, _, _) = prepare(path.as_deref(), &self.header().overrides)?;
        if path.is_none() && prepared.scenario_hash != self.header().scenario_hash {
            return Ok(None);
        }
        match replay(&prepared, &self.log) {
            Verdict::Match { summary, .. } => Ok(Some(serde_json::to_value(&summary.outcomes).expect("outcomes serialise"))),
            Verdict::Diverged { seq, message } => {
                let at = seq.map(|s| format!(" at event {s}")).unwrap_or_default();
                Err(Fail {
                    code: 1,
                    message: format!("{}: error: the log does not replay over its scenario{at}: {message}", self.file.display()),
                })
            }
        }
    }
}

/// Opens LOG_OR_DIR (a folder holding events.jsonl, or the file) and verifies it. A log that
/// fails its integrity check is refused with the first bad record named (exit 2: it cannot
/// be used).
pub fn open(path: &Path) -> Result<Opened, Fail> {
    open_with(path, 2)
}

/// `open`, with the exit code for a log that fails its integrity check (`casus replay`, whose
/// job is that check, uses 1); a log that is not a casus log at all is always bad input (2).
pub fn open_with(path: &Path, integrity_code: u8) -> Result<Opened, Fail> {
    let (file, dir) = locate(path);
    let f = casus::input::open(&file).map_err(|e| cannot_read(&file, e))?;
    let bytes = f.metadata().map(|m| m.len()).unwrap_or(0);
    let log = casus::log::read_log_sized(BufReader::new(f), bytes).map_err(|e| unreadable(&file, e, integrity_code))?;
    Ok(Opened { file, dir, log })
}

/// `open` for the commands that only display a log (`log`, `explain`): a log without its end
/// record (an interrupted run, a truncated file, a last line cut off) is shown as far as it
/// goes, after a warning on stderr (docs/log-format.md, "Truncated logs").
pub fn open_for_display(path: &Path) -> Result<Opened, Fail> {
    let o = open(path)?;
    if o.log.end.is_none() {
        eprintln!("{}: warning: {}", o.file.display(), casus::log::incomplete_message(o.log.events.len(), o.log.torn));
    }
    Ok(o)
}

/// `open` for the commands that verify or build on a whole log (`diff`, `fork`, `report`): a
/// log without its end record is refused with exit 1, as `casus replay` refuses it.
pub fn open_complete(path: &Path, command: &str) -> Result<Opened, Fail> {
    let o = open(path)?;
    if o.log.end.is_none() {
        return Err(Fail {
            code: 1,
            message: format!(
                "{}: error: {}
{command} needs a complete log; run the scenario again (casus run) to get one",
                o.file.display(),
                casus::log::incomplete_message(o.log.events.len(), o.log.torn)
            ),
        });
    }
    Ok(o)
}

/// The events.jsonl file of LOG_OR_DIR (a folder holding it, or the file), and its folder.
pub fn locate(path: &Path) -> (PathBuf, PathBuf) {
    let file = if path.is_dir() { path.join("events.jsonl") } else { path.to_path_buf() };
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    (file, dir)
}

/// The scenario to fold or continue a log in `dir` with: `given`, else scenario.ron in `dir`,
/// else none (the embedded default).
pub fn scenario_in(dir: &Path, given: Option<PathBuf>) -> Option<PathBuf> {
    given.or_else(|| {
        let beside = dir.join("scenario.ron");
        beside.exists().then_some(beside)
    })
}

/// The failure for a log that cannot be read: `integrity_code` when it fails its integrity
/// check, 2 when it is not a casus log at all.
pub fn unreadable(file: &Path, e: casus::log::LogError, integrity_code: u8) -> Fail {
    let (code, what) = if e.integrity {
        (
            integrity_code,
            "the log does not pass its integrity check (an edited, removed, added or reordered record); regenerate it or use the original",
        )
    } else {
        (2, "this is not a readable casus log")
    };
    Fail { code, message: format!("{}:{e}\n{what}", file.display()) }
}

/// Arguments of `casus log`.
#[derive(clap::Args)]
pub struct LogArgs {
    /// A log (events.jsonl) or a run folder.
    log: PathBuf,
    /// Only these event kinds (repeatable or comma-separated), e.g. SanctionsImposed.
    #[arg(long = "kind", value_name = "KIND")]
    kinds: Vec<String>,
    /// Only events involving one of these actors (ids; repeatable or comma-separated).
    #[arg(long = "actor", value_name = "ID")]
    actors: Vec<String>,
    /// Only events whose rule contains this text, case-insensitively (e.g. "Art. 6"; repeatable).
    #[arg(long = "rule", value_name = "TEXT")]
    rules: Vec<String>,
    /// From this date (YYYY-MM-DD) or day number, inclusive.
    #[arg(long)]
    from: Option<String>,
    /// To this date (YYYY-MM-DD) or day number, inclusive.
    #[arg(long)]
    to: Option<String>,
    /// text (default), json (one event per line) or csv.
    #[arg(long, default_value = "text")]
    format: String,
    /// Leave out combat rounds, mobilisations and summits.
    #[arg(long)]
    brief: bool,
    #[command(flatten)]
    timeline: TimelineArgs,
}

/// How a timeline for people is printed (`casus run`, `casus log` as text).
#[derive(clap::Args)]
pub struct TimelineArgs {
    /// Colour: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it), always or never.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    color: ColorChoice,
    /// Group armed groups' routine attacks (those that caused nothing shown) by month, week or none.
    #[arg(long, value_enum, default_value = "month", value_name = "PERIOD")]
    group: GroupBy,
    /// Leave out this event kind (repeatable or comma-separated).
    #[arg(long = "exclude-kind", value_name = "KIND")]
    exclude_kinds: Vec<String>,
}

/// `--color`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--group`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum GroupBy {
    Week,
    Month,
    None,
}

impl TimelineArgs {
    /// Whether to colour: as asked; on `auto`, not when NO_COLOR is set (non-empty), yes when
    /// CLICOLOR_FORCE is (and not "0"), else only on a terminal.
    fn colour(&self) -> bool {
        let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty() && x != "0");
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if std::env::var_os("NO_COLOR").is_some_and(|x| !x.is_empty()) => false,
            ColorChoice::Auto => set("CLICOLOR_FORCE") || std::io::IsTerminal::is_terminal(&std::io::stdout()),
        }
    }

    fn grouping(&self) -> Grouping {
        match self.group {
            GroupBy::Week => Grouping::Week,
            GroupBy::Month => Grouping::Month,
            GroupBy::None => Grouping::None,
        }
    }

    /// The kinds left out, checked against the catalogue of kinds.
    fn excluded(&self) -> Result<Vec<String>, Fail> {
        let f = Filter { kinds: split_list(&self.exclude_kinds), ..Default::default() };
        f.check_kinds().map_err(|e| bad(format!("error: --exclude-kind: {e}")))?;
        Ok(f.kinds)
    }

    /// Prints the summary header (lines starting with `# `) and the timeline of the events
    /// `shown` keeps, without the kinds excluded.
    pub(crate) fn print(
        &self,
        out: &mut impl Write,
        h: &casus::log::Header,
        events: &[Event],
        shown: impl Fn(&Event) -> bool,
    ) -> Result<std::io::Result<()>, Fail> {
        let excluded = self.excluded()?;
        let paint = Paint(self.colour());
        let lines = timeline::lines(h, events, |e| shown(e) && !excluded.iter().any(|k| k == e.kind.name()), self.grouping());
        Ok(timeline::summary(h, events)
            .iter()
            .try_for_each(|l| writeln!(out, "{}", paint.bold(&format!("# {l}"))))
            .and_then(|_| lines.iter().try_for_each(|l| writeln!(out, "{}", paint.line(l)))))
    }
}

/// ANSI colours, or none.
pub(crate) struct Paint(pub(crate) bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }

    pub(crate) fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }

    fn theme(&self, theme: Theme, text: &str) -> String {
        let code = match theme {
            Theme::Coup => "35",
            Theme::Violence => "31",
            Theme::Economic => "33",
            Theme::Alliance => "32",
            Theme::Exit => "34",
            Theme::Diplomacy => "36",
        };
        self.wrap(code, text)
    }

    /// `2023-07-30  d4    #8    SanctionsImposed       text  [rule] <- #7`: the kind in its
    /// theme's colour, the citation in bold, the cause dim.
    fn line(&self, l: &Line) -> String {
        let cause = if l.cause.is_empty() { String::new() } else { self.wrap("2", &format!(" <- {}", l.cause)) };
        let when = self.wrap("2", &format!("{}  d{:<4} #{:<4}", l.date, l.day, l.seq));
        let kind = self.theme(l.theme, &format!("{:<22}", l.kind));
        format!("{when} {kind} {}  {}{cause}", l.text, self.bold(&format!("[{}]", l.rule)))
    }
}

fn split_list(v: &[String]) -> Vec<String> {
    v.iter().flat_map(|s| s.split(',')).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

fn filter_of(
    o: &Opened,
    kinds: &[String],
    actors: &[String],
    rules: &[String],
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Filter, Fail> {
    let start = o.start()?;
    let when = |s: Option<&str>, flag: &str| -> Result<Option<u32>, Fail> {
        s.map(|s| query::parse_when(s, start).map_err(|e| bad(format!("error: {flag}: {e}")))).transpose()
    };
    let filter = Filter {
        kinds: split_list(kinds),
        actors: split_list(actors),
        rules: rules.to_vec(),
        from_day: when(from, "--from")?,
        to_day: when(to, "--to")?,
    };
    filter.check_kinds().map_err(|e| bad(format!("error: --kind: {e}")))?;
    let header = o.header();
    if !header.actors.is_empty() {
        for a in &filter.actors {
            if !header.actors.contains_key(a) {
                let hint = casus::model::params::did_you_mean(a, header.actors.keys().map(|s| s.as_str()));
                return Err(bad(format!("error: --actor: no actor {a:?} in this log{hint}")));
            }
        }
    }
    Ok(filter)
}

/// `casus log`.
pub fn cmd_log(a: LogArgs) -> Result<(), Fail> {
    let o = open_for_display(&a.log)?;
    let filter = filter_of(&o, &a.kinds, &a.actors, &a.rules, a.from.as_deref(), a.to.as_deref())?;
    let excluded = a.timeline.excluded()?;
    let keep = |e: &Event| filter.matches(e) && (!a.brief || significant(e)) && !excluded.iter().any(|k| k == e.kind.name());
    let mut events = o.log.events.iter().filter(|e| keep(e));
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result = match a.format.as_str() {
        "text" => a.timeline.print(&mut out, o.header(), &o.log.events, keep)?,
        "json" => events.try_for_each(|e| writeln!(out, "{}", serde_json::to_string(e).expect("events serialise"))),
        "csv" => write_csv(&mut out, events),
        other => return Err(bad(format!("error: --format {other:?}: use text, json or csv"))),
    };
    // A closed pipe (`casus log ... | head`) is not an error.
    let _ = result.and_then(|_| out.flush());
    Ok(())
}

/// Writes events as CSV, one row each after a header (the `csv` crate quotes a field only when
/// it holds a comma, a quote or a line break, as in every CSV casus writes).
fn write_csv<'a>(out: &mut impl Write, events: impl Iterator<Item = &'a Event>) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["seq", "day", "date", "kind", "actors", "cause", "rule", "description"])?;
    for e in events {
        let cause = e.cause.map(|c| c.to_string()).unwrap_or_default();
        let (seq, day, date) = (e.seq.to_string(), e.day.to_string(), e.date.to_string());
        let (actors, rule) = (e.actors.join(";"), printable(&e.rule));
        w.write_record([&seq, &day, &date, e.kind.name(), &printable(&actors), &cause, &rule, &describe(&e.kind)])?;
    }
    w.flush()
}

/// Arguments of `casus explain`.
#[derive(clap::Args)]
pub struct ExplainArgs {
    /// A log (events.jsonl) or a run folder.
    log: PathBuf,
    /// The event's seq (or use --kind/--actor to pick the first matching event).
    #[arg(conflicts_with_all = ["kinds", "actors", "why_not"])]
    seq: Option<u64>,
    /// Why no event of this kind happened (with --actor: none involving it): the rule that
    /// would have produced it and the condition that failed, with its values, when it was checked.
    #[arg(long = "why-not", value_name = "KIND", conflicts_with = "kinds")]
    why_not: Option<String>,
    /// Explain the first event of this kind.
    #[arg(long = "kind", value_name = "KIND")]
    kinds: Vec<String>,
    /// ... involving this actor.
    #[arg(long = "actor", value_name = "ID")]
    actors: Vec<String>,
    /// Also print the tree of events it caused.
    #[arg(long)]
    consequences: bool,
    /// How far to go: the N causes nearest the event, and N levels of consequences (text:
    /// default 50, with a line saying how many earlier causes were cut; --json: the whole
    /// chain, and consequences to this depth if given).
    #[arg(long, value_name = "N")]
    depth: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// How many causes, and levels of consequences, `casus explain` prints by default.
const EXPLAIN_DEPTH: usize = 50;

/// Indentation stops growing after this many levels (a chain of thousands of steps would
/// otherwise print a quadratic number of spaces); deeper steps say their depth.
const MAX_INDENT: usize = 12;

fn indent(level: usize) -> String {
    if level > MAX_INDENT { format!("{}[{level}] ", "  ".repeat(MAX_INDENT)) } else { "  ".repeat(level) }
}

/// One event of a chain in words: its number, date and day, kind, what happened (actors by name,
/// with their code on first mention in `names`, day figures as dates) and its citation.
fn step_line(o: &Opened, e: &Event, names: &mut Names) -> String {
    let line = format!("#{} {} (day {})  {}  {}  [{}]", e.seq, event_date(e, 0), e.day, e.kind.name(), say_event(o, e, names), e.rule);
    printable(&line).into_owned()
}

/// What an event says in words (the terse description when the log's start date is unreadable).
fn say_event(o: &Opened, e: &Event, names: &mut Names) -> String {
    match o.start() {
        Ok(start) => say(&e.kind, &e.rule, start, names),
        Err(_) => describe(&e.kind),
    }
}

/// The seq `casus explain` is asked about: given, or the first event matching --kind/--actor.
fn explained_seq(o: &Opened, a: &ExplainArgs) -> Result<u64, Fail> {
    if let Some(s) = a.seq {
        return Ok(s);
    }
    if a.kinds.is_empty() && a.actors.is_empty() {
        return Err(bad("error: give an event's SEQ, or --kind (and --actor) to explain the first such event"));
    }
    let filter = filter_of(o, &a.kinds, &a.actors, &[], None, None)?;
    o.log.events.iter().find(|e| filter.matches(e)).map(|e| e.seq).ok_or_else(|| {
        let kind = split_list(&a.kinds).first().cloned().unwrap_or_else(|| "KIND".into());
        let actor = split_list(&a.actors).first().map(|x| format!(" --actor {x}")).unwrap_or_default();
        bad(format!(
            "error: no event in the log matches --kind/--actor\nto see why it did not happen: casus explain {} --why-not {kind}{actor}",
            a.log.display()
        ))
    })
}

/// `casus explain --why-not KIND`: read from the log and its prepared scenario (scenario.ron
/// beside it, with the log's overrides).
fn explain_why_not(o: &Opened, a: &ExplainArgs, kind: &str) -> Result<(), Fail> {
    let filter = filter_of(o, &[kind.to_string()], &a.actors, &[], None, None)?;
    let header = o.header();
    let (prepared, _, _) = crate::prepare(o.scenario_path(None).as_deref(), &header.overrides)?;
    let actor = filter.actors.first().map(String::as_str);
    let kind = &filter.kinds[0];
    let mut lines = casus::analysis::whynot::why_not(&prepared, &o.log.events, header.seed, kind, actor);
    if !casus::analysis::whynot::purposes_for(kind).is_empty() {
        lines.extend(match rerun_decisions(o, &prepared) {
            Ok(decisions) => casus::analysis::whynot::decision_lines(&header.start, &decisions, kind, actor),
            Err(why) => vec![format!("The draws that decide it are not listed: {why}.")],
        });
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = lines.iter().try_for_each(|l| writeln!(out, "{}", printable(l))).and_then(|_| out.flush());
    Ok(())
}

/// The probabilistic decisions of a log's run, taken again by re-running its rules with the
/// recorder on; the re-run must write the log's very events. Not for a fork (its draws before
/// the fork day are its parent's: ask the parent), nor a log of an older schema (older rules).
fn rerun_decisions(o: &Opened, prepared: &casus::model::prepared::Prepared) -> Result<Vec<casus::rules::context::Decision>, String> {
    let header = o.header();
    if o.dir.join("fork.json").is_file() {
        return Err("this log is a fork, whose draws before the fork day are its parent's; ask the parent's log for those".into());
    }
    casus::analysis::verify::rerunnable(header, o.log.written_schema_version).map_err(|e| e.to_string())?;
    let limits = casus::analysis::verify::limits_for(o.log.events.len() as u64);
    let (output, decisions) = casus::engine::run::run_diagnosed(prepared, header.seed, limits).map_err(|e| e.to_string())?;
    if output.events != o.log.events {
        return Err(format!(
            "re-running the rules from the log's scenario with seed {} does not give the log's events (edited, or written by a casus whose rules differ: casus verify says where)",
            header.seed
        ));
    }
    Ok(decisions)
}

/// `casus explain`.
pub fn cmd_explain(a: ExplainArgs) -> Result<(), Fail> {
    let o = open_for_display(&a.log)?;
    if let Some(kind) = &a.why_not {
        return explain_why_not(&o, &a, kind);
    }
    let seq = explained_seq(&o, &a)?;
    let chain = query::causal_chain(&o.log.events, seq).map_err(|e| bad(format!("error: {e}")))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.json {
        let doc = if a.consequences {
            let tree = query::consequences(&o.log.events, seq, a.depth).map_err(|e| bad(format!("error: {e}")))?;
            serde_json::json!({
                "event": chain.last(),
                "causes": chain,
                "consequences": tree.iter().map(|(d, e)| serde_json::json!({"depth": d, "event": e})).collect::<Vec<_>>(),
            })
        } else {
            serde_json::json!({ "event": chain.last(), "causes": chain })
        };
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&doc).expect("serialises"));
        let _ = out.flush();
        return Ok(());
    }
    let depth = a.depth.unwrap_or(EXPLAIN_DEPTH);
    let mut names = Names::new(&o.header().actors);
    print_chain(&mut out, &o, &chain, depth, &mut names);
    if a.consequences {
        let tree = query::consequences(&o.log.events, seq, Some(depth)).map_err(|e| bad(format!("error: {e}")))?;
        let _ = writeln!(out, "\nconsequences of #{seq} ({} event{}):", tree.len(), if tree.len() == 1 { "" } else { "s" });
        for (d, e) in tree {
            let _ = writeln!(out, "{}└─ {}", indent(d), step_line(&o, e, &mut names));
        }
    }
    let _ = out.flush();
    Ok(())
}

/// The causal chain, each event once: the event's `depth` nearest causes, from the earliest
/// shown down to the event, after a line counting the earlier causes left out.
fn print_chain(out: &mut impl Write, o: &Opened, chain: &[&Event], depth: usize, names: &mut Names) {
    let target = chain.last().expect("the chain ends at the event");
    let said = say_event(o, target, &mut Names::new(&o.header().actors));
    let _ = writeln!(out, "Why {} #{} on {}: {}", target.kind.name(), target.seq, event_date(target, 0), printable(&said));
    let _ = writeln!(out, "causal chain, from the root ({} step{}):", chain.len(), if chain.len() == 1 { "" } else { "s" });
    let (cut, shown) = query::chain_window(chain, depth);
    if cut > 0 {
        let root = chain[0];
        let _ = writeln!(
            out,
            "  ... {cut} earlier cause{} not shown, back to the root #{} {} (use --depth {} to see them all)",
            if cut == 1 { " is" } else { "s are" },
            root.seq,
            root.kind.name(),
            chain.len()
        );
    }
    for (i, e) in shown.iter().enumerate() {
        let first = i == 0 && cut == 0;
        let _ = writeln!(out, "{}{}{}", indent(i + 1), if first { "" } else { "└─ " }, step_line(o, e, names));
    }
}

/// Arguments of `casus fork`.
#[derive(clap::Args)]
pub struct ForkArgs {
    /// The parent: a log (events.jsonl) or a run folder.
    log: PathBuf,
    /// Fork point: an event's seq (the fork starts at the start of its day), a date YYYY-MM-DD, or dN for day N.
    #[arg(long)]
    at: String,
    /// Override a parameter or field from the fork on: NAME=VALUE (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Remove an event of the parent (on or after the fork day) and what it would cause (repeatable).
    #[arg(long = "drop", value_name = "SEQ")]
    drop: Vec<u64>,
    /// Add a scripted event, written as a scenario timeline entry in RON (repeatable).
    #[arg(long = "inject", value_name = "RON")]
    inject: Vec<String>,
    /// Output folder for the fork's run.
    #[arg(long)]
    out: PathBuf,
    /// The parent's scenario (default: scenario.ron beside the log, or the embedded default).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Write into a folder that holds files casus did not write (they are kept; casus's own are replaced).
    #[arg(long)]
    force: bool,
    /// Print nothing on success.
    #[arg(long)]
    quiet: bool,
}

/// Reads `--at`: a plain number is an event's seq; `d12` is a day; `YYYY-MM-DD` is a date.
fn parse_at(text: &str, start: casus::model::date::Date) -> Result<At, String> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<u64>().map(At::Seq).map_err(|_| format!("`{t}` is too large"));
    }
    query::parse_when(t, start).map(At::Day).map_err(|e| format!("{e} (a plain number is an event's seq, d12 is day 12)"))
}

/// `casus fork`.
pub fn cmd_fork(a: ForkArgs) -> Result<(), Fail> {
    let o = open_complete(&a.log, "casus fork")?;
    let at = parse_at(&a.at, o.start()?).map_err(|e| bad(format!("error: --at: {e}")))?;
    let scenario_path = o.scenario_path(a.scenario.clone());
    let (source, name) = match &scenario_path {
        Some(p) => (read_source(p)?, p.display().to_string()),
        None => (crate::DEFAULT_SCENARIO.to_string(), crate::DEFAULT_NAME.to_string()),
    };
    let changes = Changes { sets: crate::parse_sets(&a.set)?, drops: a.drop.clone(), injects: a.inject.clone() };
    let _lock = crate::lock(&a.out)?;
    check_output_dir(&a.out, casus::outdir::Kind::Run, a.force)?;
    if a.out.canonicalize().ok().is_some_and(|p| Some(p) == o.dir.canonicalize().ok()) {
        return Err(bad("error: --out is the parent's own folder; choose another"));
    }
    crate::refuse_inputs_inside(&a.out, casus::outdir::Kind::Run, &[Some(o.file.as_path()), scenario_path.as_deref()])?;
    let forked = casus::analysis::fork::fork(&source, &o.log, at, &changes, Limits::default()).map_err(|e| match e {
        ForkError::Invalid(m) => bad(format!("error: {m}")),
        ForkError::Prepare(p) => bad(p.render(&name, &source)),
        ForkError::Run(r) => Fail { code: 1, message: format!("error: {r}") },
    })?;
    // A fork with no change continues its parent exactly (docs/log-format.md, "Verification"):
    // one that does not shows that the parent is not the log casus writes (its seed edited, say).
    // A log of an older schema was written by older rules: its fork re-runs today's, and may
    // diverge.
    let unchanged = changes.sets.is_empty()
        && changes.drops.is_empty()
        && changes.injects.is_empty()
        && o.log.written_schema_version == casus::model::event::LOG_SCHEMA_VERSION;
    let (parent, fork) = (&o.log.events, &forked.output.events);
    let common = casus::analysis::diff::common_prefix(parent, fork);
    if unchanged && (common < parent.len() || common < fork.len()) {
        return Err(Fail {
            code: 1,
            message: format!(
                "{}: error: a fork with no change must continue its parent exactly, but this one diverges at event {common}: the parent is not the log casus writes from its scenario and seed (edited?); `casus verify {}` says where",
                o.file.display(),
                o.dir.display()
            ),
        });
    }
    let lineage = serde_json::to_string_pretty(&forked.lineage).expect("lineage serialises") + "\n";
    crate::write_run_dir(&a.out, &forked.output, &source, &[("fork.json", lineage.as_str())])
        .map_err(|e| Fail { code: 1, message: format!("error: writing {}: {e}", a.out.display()) })?;
    if a.quiet {
        return Ok(());
    }
    let l = &forked.lineage;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "forked {} at {} (day {}): kept the first {} events unchanged", o.file.display(), l.date, l.day, l.kept_events);
    for d in &l.drops {
        if d.refused == 0 {
            let _ = writeln!(out, "warning: --drop {}: the fork never proposed that {} (an earlier change removed it)", d.seq, d.kind);
        }
    }
    if common == parent.len() && common == fork.len() {
        let _ = writeln!(out, "the fork is identical to its parent ({} events)", fork.len());
    } else {
        let _ = writeln!(out, "the fork diverges at event {common} ({} events; the parent has {})", fork.len(), parent.len());
    }
    let _ = writeln!(
        out,
        "wrote {}/events.jsonl, summary.json and fork.json; compare with: casus diff {} {}",
        a.out.display(),
        o.dir.display(),
        a.out.display()
    );
    Ok(())
}

/// Arguments of `casus diff`.
#[derive(clap::Args)]
pub struct DiffArgs {
    /// First run (folder or log).
    left: PathBuf,
    /// Second run (folder or log).
    right: PathBuf,
    /// Write the page comparing the two run folders instead, as `casus report LEFT RIGHT` does
    /// (default: RIGHT/comparison.html).
    #[arg(long)]
    html: bool,
    /// With --html: where to write the page.
    #[arg(long, requires = "html")]
    out: Option<PathBuf>,
}

/// `casus diff`: exit 0 when the runs are identical, 1 when they differ. With `--html`, the
/// comparison page of `casus report LEFT RIGHT` (its exit codes).
pub fn cmd_diff(args: DiffArgs) -> Result<(), Fail> {
    if args.html {
        let right = args.right.clone();
        return compare_report(
            ReportArgs { dir: args.left, other: Some(args.right), out: args.out, png: false, scenario: None, pair: None, discover: None },
            &right,
        );
    }
    let a = open_complete(&args.left, "casus diff")?;
    let b = open_complete(&args.right, "casus diff")?;
    let d = casus::analysis::diff::diff(&a.log, &b.log);
    let mut out = std::io::stdout().lock();
    let (la, lb) = (a.file.display().to_string(), b.file.display().to_string());
    let _ = writeln!(out, "--- {la} ({} events)\n+++ {lb} ({} events)", d.totals.0, d.totals.1);
    for (k, x, y) in &d.header {
        let _ = writeln!(out, "{}", printable(&format!("header {k}: {x} -> {y}")));
    }
    let identical = d.first.is_none() && d.header.is_empty();
    match d.first {
        None => {
            let _ = writeln!(out, "events: identical ({})", d.totals.0);
        }
        Some((x, y)) => {
            let day = x.or(y).map(|e| format!(" (day {})", e.day)).unwrap_or_default();
            let _ = writeln!(out, "events: the first {} are identical; they diverge at event {}{day}:", d.common, d.common);
            let show = |e: Option<&Event>| e.map(timeline_line).unwrap_or_else(|| "(log ended)".into());
            let _ = writeln!(out, "- {}\n+ {}", show(x), show(y));
            if !d.kinds.is_empty() {
                let _ = writeln!(out, "events after the divergence, by kind (left -> right):");
                for (k, (x, y)) in &d.kinds {
                    let _ = writeln!(out, "  {k:<24} {x:>6} -> {y}");
                }
            }
        }
    }
    // Outcomes recomputed from the verified logs, never read from summary.json.
    let mut outcomes_differ = false;
    match (a.outcomes()?, b.outcomes()?) {
        (Some(sa), Some(sb)) => {
            let changes = casus::analysis::diff::outcome_changes(&sa, &sb);
            outcomes_differ = !changes.is_empty();
            if changes.is_empty() {
                let _ = writeln!(out, "outcomes: identical");
            } else {
                let _ = writeln!(out, "outcomes that differ (left -> right):");
                for (k, x, y) in changes {
                    let _ = writeln!(out, "  {k:<32} {x} -> {y}");
                }
            }
        }
        _ => {
            let _ = writeln!(out, "outcomes: not compared (no scenario.ron beside a log to recompute them from)");
        }
    }
    let _ = out.flush();
    if identical && !outcomes_differ { Ok(()) } else { Err(Fail { code: 1, message: String::new() }) }
}

/// Arguments of `casus report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// A run folder (casus run/fork --out) or a sweep folder (casus sweep --out).
    dir: PathBuf,
    /// A second run folder: write a page comparing the two runs instead (default: OTHER/comparison.html).
    other: Option<PathBuf>,
    /// Where to write the page (default: DIR/report.html).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write every chart as a PNG file in charts/ beside the page.
    #[arg(long)]
    png: bool,
    /// The run's scenario (default: scenario.ron in DIR, or the embedded default).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// A sweep's heat maps over these two swept parameters (default: the first two, in plan order).
    #[arg(long, value_name = "A,B")]
    pair: Option<String>,
    /// Add a sweep's scenario discovery (PRIM) for this case, as casus analyze --discover takes it.
    #[arg(long, value_name = "CASE")]
    discover: Option<String>,
}

/// The files a report may read in a folder: its page and charts may replace none of them.
fn report_inputs(dir: &Path, scenario: Option<PathBuf>) -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = [
        "events.jsonl",
        "summary.json",
        "fork.json",
        "manifest.json",
        "points.csv",
        "runs.csv",
        "runs.jsonl",
        "runs.parquet",
        "points.parquet",
    ]
    .iter()
    .map(|f| dir.join(f))
    .collect();
    inputs.extend(scenario);
    inputs
}

/// Whether a report may replace this file of a casus output folder: its pages and charts.
fn report_file(rel: &Path) -> bool {
    rel == Path::new("report.html")
        || rel == Path::new("comparison.html")
        || (rel.starts_with("charts") && rel.extension().is_some_and(|x| x == "png"))
}

/// `casus report`.
pub fn cmd_report(a: ReportArgs) -> Result<(), Fail> {
    if let Some(other) = a.other.clone() {
        return compare_report(a, &other);
    }
    if !a.dir.is_dir() {
        return Err(bad(format!("error: {} is not a folder; give a run folder (casus run --out) or a sweep folder", a.dir.display())));
    }
    // The report writes into the folder (by default): no other command may write it meanwhile.
    let _lock = casus::outdir::Lock::acquire(&a.dir).map_err(|r| bad(r.0))?;
    let html_path = a.out.clone().unwrap_or_else(|| a.dir.join("report.html"));
    let inputs = report_inputs(&a.dir, scenario_in(&a.dir, a.scenario.clone()));
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    casus::outdir::refuse_file_over_input(&html_path, &inputs, report_file).map_err(|r| bad(r.0))?;
    let (html, charts) = if a.dir.join("manifest.json").exists() {
        if !a.dir.join("points.csv").exists() {
            let status = casus::sweep::folder::read_manifest(&a.dir.join("manifest.json"))
                .ok()
                .and_then(Result::ok)
                .map(|m| format!(" (its manifest says {:?})", m.status))
                .unwrap_or_default();
            return Err(bad(format!(
                "error: {} is a sweep folder without points.csv: the sweep is not finished{status}; \
                 finish it with the same casus sweep command and --resume, then report",
                a.dir.display()
            )));
        }
        sweep_report(&a.dir, a.pair.as_deref(), a.discover.as_deref())?
    } else {
        if let Some(flag) = [(a.pair.is_some(), "--pair"), (a.discover.is_some(), "--discover")].iter().find(|f| f.0).map(|f| f.1) {
            return Err(bad(format!("error: {flag} is for a sweep folder's report; {} is a run folder", a.dir.display())));
        }
        run_report(&a.dir, a.scenario.clone(), &html_path)?
    };
    write_atomic(&html_path, html.as_bytes())
        .map_err(|e| Fail { code: 1, message: format!("error: writing {}: {e}", html_path.display()) })?;
    let drawn: Vec<&casus::analysis::charts::Chart> = charts.iter().filter(|c| !c.lines.is_empty()).collect();
    let mut pngs = 0;
    if a.png {
        let dir = page_dir(&html_path).join("charts");
        fs::create_dir_all(&dir).map_err(|e| Fail { code: 1, message: format!("error: {}: {e}", dir.display()) })?;
        // An empty chart is not drawn: its PNG is not written (and one left by an earlier
        // report of the same folder would be stale, so it is removed).
        for c in &charts {
            let path = dir.join(format!("{}.png", c.id));
            casus::outdir::refuse_file_over_input(&path, &inputs, report_file).map_err(|r| bad(r.0))?;
            if c.lines.is_empty() {
                if path.is_file() {
                    fs::remove_file(&path).map_err(|e| Fail { code: 1, message: format!("error: removing {}: {e}", path.display()) })?;
                }
                continue;
            }
            let bytes =
                casus::analysis::charts::png(c).map_err(|e| Fail { code: 1, message: format!("error: {}: {e}", path.display()) })?;
            write_atomic(&path, &bytes).map_err(|e| Fail { code: 1, message: format!("error: writing {}: {e}", path.display()) })?;
            pngs += 1;
        }
    }
    let empty = charts.len() - drawn.len();
    println!(
        "wrote {} ({} charts{}{})",
        html_path.display(),
        drawn.len(),
        if empty > 0 { format!(", {empty} with nothing to draw") } else { String::new() },
        if a.png { format!(", {pngs} PNG files in charts/") } else { String::new() }
    );
    Ok(())
}

/// The folder a page is written in.
fn page_dir(html_path: &Path) -> &Path {
    html_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// A link from a page in `from_dir` to the file `to`: a relative URL with each segment
/// percent-encoded, or None when either path cannot be resolved.
fn relative_link(from_dir: &Path, to: &Path) -> Option<String> {
    let from = from_dir.canonicalize().ok()?;
    let to = to.canonicalize().ok()?;
    let common = from.components().zip(to.components()).take_while(|(x, y)| x == y).count();
    let ups = from.components().count() - common;
    let mut segments: Vec<String> = vec!["..".to_string(); ups];
    segments.extend(to.components().skip(common).map(|c| percent_encode(&c.as_os_str().to_string_lossy())));
    Some(segments.join("/"))
}

/// A path segment for a URL: every byte but letters, digits and `-._~` as %XX.
fn percent_encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// A run folder as a page names it: its own name (`base`, `no-sanctions`).
fn folder_name(dir: &Path) -> String {
    dir.canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string())
}

/// The chain value of a log file's last record, read from its end (None when it has none).
fn last_chain(file: &Path) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = casus::input::open(file).ok()?;
    let len = f.metadata().ok()?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(4096))).ok()?;
    let mut tail = String::new();
    f.take(8192).read_to_string(&mut tail).ok()?;
    let last = tail.trim_end().rsplit('\n').next()?;
    let value: serde_json::Value = serde_json::from_str(last).ok()?;
    value["chain"].as_str().map(String::from)
}

/// The parent of the fork in `dir`: the first folder beside it, in name order, whose complete
/// log ends with the chain value fork.json names, read and verified.
fn find_parent(dir: &Path, chain_head: &str) -> Option<Opened> {
    let parent_of_dir = dir.canonicalize().ok()?.parent()?.to_path_buf();
    let mut siblings: Vec<PathBuf> =
        fs::read_dir(&parent_of_dir).ok()?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect();
    siblings.sort();
    siblings
        .into_iter()
        .filter(|s| last_chain(&s.join("events.jsonl")).as_deref() == Some(chain_head))
        .find_map(|s| open(&s).ok().filter(|o| o.log.end.is_some() && o.log.chain_head == chain_head))
}

fn run_report(dir: &Path, scenario: Option<PathBuf>, html_path: &Path) -> Result<(String, Vec<casus::analysis::charts::Chart>), Fail> {
    let o = open_complete(dir, "casus report")?;
    let header = o.header().clone();
    let (prepared, _, _) = prepare(o.scenario_path(scenario).as_deref(), &header.overrides)?;
    let outcomes = match replay(&prepared, &o.log) {
        Verdict::Match { summary, .. } => serde_json::to_value(&summary.outcomes).expect("outcomes serialise"),
        Verdict::Diverged { seq, message } => {
            let at = seq.map(|s| format!(" at event {s}")).unwrap_or_default();
            return Err(Fail { code: 1, message: format!("error: the log does not replay over its scenario{at}: {message}") });
        }
    };
    let charts = casus::analysis::report::run_charts(&prepared, &o.log).map_err(|e| Fail { code: 1, message: format!("error: {e}") })?;
    let rendered = casus::analysis::report::render(charts).map_err(|e| Fail { code: 1, message: format!("error: {e}") })?;
    // The outcomes shown are recomputed from the verified log, never read from summary.json.
    let lineage = read_lineage(dir)?;
    let parent_run = lineage.as_ref().and_then(|l| find_parent(dir, &l.parent_chain_head));
    let page_dir = page_dir(html_path);
    let parent = parent_run.as_ref().map(|p| {
        let report = p.dir.join("report.html");
        let report_text = casus::input::read_to_string(&report, casus::input::MAX_FILE_BYTES).ok();
        casus::analysis::report::ParentRun {
            folder: folder_name(&p.dir),
            report: report_text.as_ref().and_then(|_| relative_link(page_dir, &report)),
            anchors: report_text.as_deref().map(casus::analysis::report::event_anchors).unwrap_or_default(),
            log: &p.log,
        }
    });
    let map = casus::analysis::map::run_map(&prepared, &o.log).map_err(|e| Fail { code: 1, message: format!("error: {e}") })?;
    let html = casus::analysis::report::run_html(&o.log, &rendered, Some(&outcomes), lineage.as_ref(), parent.as_ref(), map.as_ref());
    Ok((html, rendered.into_iter().map(|(c, _)| c).collect()))
}

/// fork.json in a run folder, if there is one; one that does not read is bad input.
fn read_lineage(dir: &Path) -> Result<Option<casus::analysis::fork::Lineage>, Fail> {
    let path = dir.join("fork.json");
    if !path.exists() {
        return Ok(None);
    }
    let text = casus::input::read_to_string(&path, casus::input::MAX_FILE_BYTES).map_err(|e| cannot_read(&path, e))?;
    serde_json::from_str(&text).map(Some).map_err(|e| bad(format!("{}: error: not a fork's provenance: {e}", path.display())))
}

/// `casus report LEFT RIGHT`: a page comparing two runs.
fn compare_report(a: ReportArgs, right: &Path) -> Result<(), Fail> {
    if a.png {
        return Err(bad("error: --png draws a run's or a sweep's charts; a comparison of two runs has none"));
    }
    if a.pair.is_some() || a.discover.is_some() {
        return Err(bad("error: --pair and --discover are for a sweep folder's report; a comparison takes two run folders"));
    }
    for dir in [&a.dir, right] {
        if !dir.is_dir() {
            return Err(bad(format!("error: {} is not a folder; give two run folders (casus run --out, casus fork --out)", dir.display())));
        }
        if dir.join("manifest.json").exists() {
            return Err(bad(format!("error: {} is a sweep folder; a comparison takes two run folders", dir.display())));
        }
    }
    if a.dir.canonicalize().ok() == right.canonicalize().ok() {
        return Err(bad("error: both folders are the same run; give two runs to compare"));
    }
    let _left_lock = casus::outdir::Lock::acquire(&a.dir).map_err(|r| bad(r.0))?;
    let _right_lock = casus::outdir::Lock::acquire(right).map_err(|r| bad(r.0))?;
    let html_path = a.out.clone().unwrap_or_else(|| right.join("comparison.html"));
    let mut inputs = report_inputs(&a.dir, scenario_in(&a.dir, a.scenario.clone()));
    inputs.extend(report_inputs(right, scenario_in(right, None)));
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    casus::outdir::refuse_file_over_input(&html_path, &inputs, report_file).map_err(|r| bad(r.0))?;
    let left = open_complete(&a.dir, "casus report")?;
    let right = open_complete(right, "casus report")?;
    // Outcomes recomputed from the verified logs, never read from summary.json.
    let (lo, ro) = (left.outcomes()?, right.outcomes()?);
    let page_dir = page_dir(&html_path);
    let side = |o: &Opened, outcomes: Option<serde_json::Value>| -> Result<casus::analysis::compare::Side, Fail> {
        let report = o.dir.join("report.html");
        Ok(casus::analysis::compare::Side {
            folder: folder_name(&o.dir),
            report: report.is_file().then(|| relative_link(page_dir, &report)).flatten(),
            lineage: read_lineage(&o.dir)?,
            outcomes,
        })
    };
    let (ls, rs) = (side(&left, lo)?, side(&right, ro)?);
    let html = casus::analysis::compare::compare_html(&left.log, &ls, &right.log, &rs);
    write_atomic(&html_path, html.as_bytes())
        .map_err(|e| Fail { code: 1, message: format!("error: writing {}: {e}", html_path.display()) })?;
    println!("wrote {} (comparing {} with {})", html_path.display(), left.dir.display(), right.dir.display());
    Ok(())
}

fn sweep_report(dir: &Path, pair: Option<&str>, discover: Option<&str>) -> Result<(String, Vec<casus::analysis::charts::Chart>), Fail> {
    let read = |name: &str| {
        casus::input::read_to_string(&dir.join(name), casus::input::MAX_FILE_BYTES).map_err(|e| cannot_read(&dir.join(name), e))
    };
    let manifest: serde_json::Value =
        serde_json::from_str(&read("manifest.json")?).map_err(|e| bad(format!("{}: error: {e}", dir.join("manifest.json").display())))?;
    let swept: Vec<String> = manifest["plan"]["params"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p[0].as_str().map(String::from)).collect())
        .unwrap_or_default();
    if swept.is_empty() {
        return Err(bad(format!("{}: error: the manifest names no swept parameter", dir.join("manifest.json").display())));
    }
    // The swept parameters' columns in points.csv (named as the parameters in sweeps written
    // before typed columns).
    let columns: Vec<String> = match manifest["columns"].as_array() {
        Some(c) if c.len() == swept.len() => c.iter().map(|c| c["column"].as_str().unwrap_or_default().to_string()).collect(),
        _ => swept.clone(),
    };
    let (rows, levels) =
        casus::analysis::report::read_points(&read("points.csv")?, &columns).map_err(|e| bad(format!("{}: error: {e}", dir.display())))?;
    // Outcomes that are events (`*_day`) or yes/no.
    let probability: Vec<String> = casus::sweep::columns::OUTCOME_COLUMNS
        .iter()
        .map(|(name, _, _)| name.to_string())
        .filter(|name| casus::sweep::columns::is_probability_outcome(name))
        .collect();
    let (charts, constant) = casus::analysis::report::sweep_charts(&rows, &swept, &levels, &probability);
    let rendered = casus::analysis::report::render(charts).map_err(|e| Fail { code: 1, message: format!("error: {e}") })?;
    let pair = heat_pair(&swept, pair)?;
    let mut x = casus::analysis::report::Exploration { pair_note: pair.1, ..Default::default() };
    if let Some((a, b)) = pair.0 {
        x.pair = Some((swept[a].clone(), swept[b].clone()));
        x.heat_maps = casus::analysis::report::draw(casus::analysis::explore::heat_maps(&rows, &swept, &levels, (a, b), &probability));
    }
    // Continuous outcomes: amounts (casualties, days of sanctions, losses), not counts of
    // allies or days on which something happened (drawn as probabilities).
    let continuous: Vec<String> = casus::sweep::columns::OUTCOME_COLUMNS
        .iter()
        .filter(|(name, t, _)| {
            *t == casus::sweep::columns::ValueType::Float || name.starts_with("casualties_") || *name == "sanctions_days"
        })
        .map(|(name, _, _)| name.to_string())
        .collect();
    let runs_csv = casus::input::read_to_string(&dir.join("runs.csv"), casus::input::MAX_SWEEP_FILE_BYTES)
        .map_err(|e| cannot_read(&dir.join("runs.csv"), e))?;
    let runs = casus::analysis::explore::read_runs(&runs_csv, &columns, &levels, &continuous)
        .map_err(|e| bad(format!("{}: error: {e}", dir.display())))?;
    let by = pair.0.map(|p| p.0).unwrap_or(0);
    x.distributions = casus::analysis::report::draw(casus::analysis::explore::distributions(&runs, &continuous, &swept, &levels, by));
    x.distribution_note = if manifest["points"].as_u64().unwrap_or(0) <= casus::analysis::explore::MAX_POINT_BOXES as u64 {
        "One box per design point, numbered as in points.csv.".into()
    } else {
        format!(
            "The sweep has more than {} points: one box per value (or tenth of the range) of {}, pooled over the other parameters.",
            casus::analysis::explore::MAX_POINT_BOXES,
            swept[by]
        )
    };
    sweep_exploration(dir, &mut x, discover)?;
    let html = casus::analysis::report::sweep_html(&manifest, &swept, &rendered, &constant, &x);
    Ok((html, rendered.into_iter().map(|(c, _)| c).collect()))
}

/// The heat maps' pair: `--pair A,B` (two different swept parameters), else the first two;
/// with a sentence saying which.
fn heat_pair(swept: &[String], pair: Option<&str>) -> Result<(Option<(usize, usize)>, String), Fail> {
    let Some(text) = pair else {
        let note = if swept.len() > 2 { "These are the first two swept parameters, in plan order." } else { "" };
        return Ok(((swept.len() >= 2).then_some((0, 1)), note.to_string()));
    };
    let names: Vec<&str> = text.split(',').map(str::trim).collect();
    let find = |n: &str| swept.iter().position(|s| s == n);
    match names[..] {
        [a, b] if a != b => match (find(a), find(b)) {
            (Some(i), Some(j)) => Ok((Some((i, j)), "This pair was chosen with --pair.".into())),
            _ => Err(bad(format!(
                "error: --pair {text}: {} was not swept; swept parameters are {}",
                if find(a).is_none() { a } else { b },
                swept.join(", ")
            ))),
        },
        _ => {
            Err(bad(format!("error: --pair {text}: give two different swept parameters as A,B; swept parameters are {}", swept.join(", "))))
        }
    }
}

/// The sensitivity figures of a Sobol or Morris sweep, and the PRIM box when asked for.
fn sweep_exploration(dir: &Path, x: &mut casus::analysis::report::Exploration, discover: Option<&str>) -> Result<(), Fail> {
    // A shard or an unfinished sweep has no indices and no discovery (merge or finish it first).
    let manifest = match casus::sweep::analyze::finished_manifest(dir) {
        Ok(m) => m,
        Err(e) if discover.is_some() => return Err(bad(format!("error: {}", e.message))),
        Err(e) => {
            x.sensitivity_note = format!("No sensitivity analysis: {}", e.message);
            return Ok(());
        }
    };
    let design = manifest.plan.design;
    x.design = casus::sweep::analyze::design_text(design);
    if matches!(design, casus::sweep::Design::Sobol(..) | casus::sweep::Design::Morris(..)) {
        match casus::sweep::analyze::analyze(dir, &[]) {
            Ok(analysis) => {
                x.sensitivity_note = if analysis.design.starts_with("sobol") {
                    "Sobol indices of each outcome that varies (as casus analyze computes them): first order (the parameter alone) and total (with its interactions), with 95% bootstrap intervals, parameters by total index."
                } else {
                    "Morris measures of each outcome that varies (as casus analyze computes them): mu* (how much the parameter moves the outcome) against sigma (non-linearity or interactions); each point is numbered and named in the key."
                }
                .into();
                x.sensitivity = casus::analysis::report::draw(analysis.figures());
            }
            Err(e) => x.sensitivity_note = format!("casus analyze could not analyse this sweep: {}", e.message),
        }
    } else {
        x.sensitivity_note = format!(
            "The design is {}: Sobol indices and Morris measures need a sweep with --design sobol:N or morris:R (casus analyze).",
            x.design
        );
    }
    if let Some(text) = discover {
        let case = casus::sweep::prim::Case::parse(text).map_err(|e| bad(format!("error: {e}")))?;
        let d = casus::sweep::prim::discover(dir, case, casus::sweep::prim::Options::default(), None)
            .map_err(|e| Fail { code: if e.input { 2 } else { 1 }, message: format!("error: {}", e.message) })?;
        let b = &d.trajectory[d.chosen];
        x.discovery = Some(casus::analysis::report::DiscoverySection {
            case: d.case.text.clone(),
            summary: format!(
                "{} of the {} runs are cases. The chosen box {} holds {:.0}% of the cases (coverage), {:.0}% of its runs are cases (density), and it holds {:.0}% of all runs (mass).",
                d.cases,
                d.runs,
                d.chosen,
                b.coverage * 100.0,
                b.density * 100.0,
                b.mass * 100.0
            ),
            figure: casus::analysis::figures::svg(&d.figure()),
            chosen: d.chosen,
            rule: d.rule.clone(),
            restrictions: d.restrictions(d.chosen),
        });
    }
    Ok(())
}
