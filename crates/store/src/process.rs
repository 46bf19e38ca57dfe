//! Which process owns what it left behind, and whether that process still
//! runs: the basis of crash recovery (issue 17, defect 2).
//!
//! A process is named `<host>/<pid>/<start>`: the host name, the process id
//! and the process's start time in clock ticks since boot (Linux
//! `/proc/<pid>/stat`, field 22), so that a process id reused by a later
//! process is not taken for the one that died. Whether an owner is alive
//! can only be told on its own host: for another host (a PostgreSQL store
//! shared by several machines) or where `/proc` is missing the answer is
//! "unknown", and recovery leaves the thing alone — it never takes work
//! away from a process that may still be doing it.

use std::sync::OnceLock;

/// This process's name, `<host>/<pid>/<start>`.
pub fn current() -> &'static str {
    static CURRENT: OnceLock<String> = OnceLock::new();
    CURRENT.get_or_init(|| {
        let pid = std::process::id();
        let start = stat(pid).map_or(0, |s| s.start);
        format!("{}/{pid}/{start}", host())
    })
}

/// Whether the process named `owner` (see [`current`]) still runs: `Some`
/// when this host can tell, `None` for another host, a name of another
/// form, or a system without `/proc`.
pub fn alive(owner: &str) -> Option<bool> {
    let mut parts = owner.rsplitn(3, '/');
    let start: u64 = parts.next()?.parse().ok()?;
    let pid: u32 = parts.next()?.parse().ok()?;
    let host_of_owner = parts.next()?;
    if host_of_owner != host() || start == 0 {
        return None;
    }
    if owner == current() {
        return Some(true);
    }
    // Without /proc here nothing can be told.
    stat(std::process::id())?;
    Some(match stat(pid) {
        None => false,
        // A zombie has exited (its parent has not reaped it yet).
        Some(s) => s.start == start && s.state != 'Z' && s.state != 'X',
    })
}

/// Whether a process with this id runs on this host (`None` where this
/// cannot be told). For names that carry no start time, such as the
/// `seg-writing-<pid>-…` files of the columnar lake: a reused id makes a
/// dead writer look alive, which only delays a clean-up.
pub fn pid_alive(pid: u32) -> Option<bool> {
    stat(std::process::id())?;
    Some(stat(pid).is_some_and(|s| s.state != 'Z' && s.state != 'X'))
}

fn host() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().replace('/', "_"))
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".to_owned())
    })
}

struct Stat {
    state: char,
    start: u64,
}

/// State and start time of process `pid` from `/proc/<pid>/stat`.
fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces or
    // parentheses itself: the fields after it follow the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    // Field 3 is the state; the start time is field 22, i.e. 19 further on.
    let start = fields.nth(18)?.parse().ok()?;
    Some(Stat { state, start })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_finished_one_is_not() {
        let me = current();
        assert_eq!(alive(me), Some(true));
        if stat(std::process::id()).is_none() {
            return; // no /proc: nothing more can be told
        }
        assert_eq!(pid_alive(std::process::id()), Some(true));
        let mut child = std::process::Command::new("true").spawn().expect("spawn");
        let pid = child.id();
        let start = stat(pid).map(|s| s.start);
        child.wait().expect("wait");
        assert_eq!(pid_alive(pid), Some(false));
        if let Some(start) = start {
            let name = format!("{}/{pid}/{start}", host());
            assert_eq!(alive(&name), Some(false));
        }
        // The same pid with another start time: a reused id, not the owner.
        let parts: Vec<&str> = me.rsplitn(3, '/').collect();
        let reused = format!("{}/{}/{}", parts[2], parts[1], 1);
        assert_eq!(alive(&reused), Some(false));
    }

    #[test]
    fn another_host_or_another_form_cannot_be_told() {
        assert_eq!(alive("some-other-host/1/12345"), None);
        assert_eq!(alive("not a process name"), None);
        assert_eq!(alive(&format!("{}/1/0", host())), None);
    }
}
