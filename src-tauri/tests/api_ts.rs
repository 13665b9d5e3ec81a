//! The window's `ui/src/lib/api.ts` and the shell's commands agree: every
//! command the app registers is called there under its name, with the
//! Rust parameters' names (camelCase, as Tauri maps them) and the Rust
//! result's TypeScript type; and api.ts calls no command that does not
//! exist. Read from both sources, so neither side can drift alone.

use std::collections::{BTreeMap, BTreeSet};

/// A Rust type as Tauri serialises it, in TypeScript.
fn ts_type(rust: &str) -> String {
    let t = rust.trim();
    if let Some(inner) = t.strip_prefix("Res<").and_then(|r| r.strip_suffix('>')) {
        return ts_type(inner);
    }
    if let Some(inner) = t.strip_prefix("Vec<").and_then(|r| r.strip_suffix('>')) {
        return format!("{}[]", ts_type(inner));
    }
    if let Some(inner) = t.strip_prefix("Option<").and_then(|r| r.strip_suffix('>')) {
        return format!("{} | null", ts_type(inner));
    }
    if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        if inner.trim().is_empty() {
            return "null".into();
        }
        let parts: Vec<String> = inner.split(',').map(ts_type).collect();
        return format!("[{}]", parts.join(", "));
    }
    match t {
        "bool" => "boolean".into(),
        "String" => "string".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" | "f64" => "number".into(),
        other => other.to_owned(),
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// name -> (parameter names in camelCase, TypeScript result), from lib.rs.
fn rust_commands(src: &str) -> BTreeMap<String, (BTreeSet<String>, String)> {
    let mut out = BTreeMap::new();
    for chunk in src.split("#[tauri::command]").skip(1) {
        let sig_start = chunk.find("fn ").expect("a fn after the attribute");
        let sig = &chunk[sig_start + 3..];
        let name_end = sig.find('(').expect("(");
        // `name<R: Runtime>`: the name without its generics.
        let name = sig[..name_end]
            .split('<')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let close = sig.find(") ->").or_else(|| sig.find(") {")).expect(")");
        // Parameters at the top level (commas inside `<…>` belong to a type);
        // the ones Tauri injects (state, window, app handle) are not passed.
        let mut pieces = Vec::new();
        let (mut depth, mut cur) = (0i32, String::new());
        for c in sig[name_end + 1..close].chars() {
            match c {
                '<' => depth += 1,
                '>' => depth -= 1,
                ',' if depth == 0 => {
                    pieces.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        pieces.push(cur);
        let params: BTreeSet<String> = pieces
            .iter()
            .filter_map(|p| p.split_once(':'))
            .filter(|(_, ty)| {
                !["State<", "Window<", "AppHandle<", "Webview<"]
                    .iter()
                    .any(|t| ty.contains(t))
            })
            .map(|(n, _)| camel(n.trim()))
            .filter(|n| !n.is_empty())
            .collect();
        let ret = sig[close..]
            .strip_prefix(") ->")
            .and_then(|r| r.split('{').next())
            .map_or("null".to_owned(), ts_type);
        out.insert(name, (params, ret));
    }
    out
}

/// name -> (argument names, TypeScript result), from api.ts's `invoke` calls.
fn ts_calls(src: &str) -> BTreeMap<String, (BTreeSet<String>, String)> {
    let mut out = BTreeMap::new();
    for chunk in src.split("invoke<").skip(1) {
        // invoke<T>("name", { a, b })
        let gt = chunk.find(">(\"").expect("invoke<T>(\"");
        let ty = chunk[..gt].trim().to_owned();
        let rest = &chunk[gt + 3..];
        let q = rest.find('"').expect("closing quote");
        let name = rest[..q].to_owned();
        let after = &rest[q + 1..];
        let args: BTreeSet<String> = match (after.find('{'), after.find(')')) {
            (Some(o), Some(c)) if o < c => {
                let end = after[o..].find('}').expect("}") + o;
                after[o + 1..end]
                    .split(',')
                    .map(|a| a.split(':').next().unwrap_or_default().trim().to_owned())
                    .filter(|a| !a.is_empty())
                    .collect()
            }
            _ => BTreeSet::new(),
        };
        out.insert(name, (args, ty));
    }
    out
}

#[test]
fn api_ts_calls_every_command_with_its_arguments_and_result() {
    // At run time: a binary built in another checkout (a shared target
    // folder) must read this one.
    let dir = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    let rust =
        rust_commands(&std::fs::read_to_string(format!("{dir}/src/lib.rs")).expect("lib.rs"));
    let ts =
        ts_calls(&std::fs::read_to_string(format!("{dir}/../ui/src/lib/api.ts")).expect("api.ts"));
    let registered: BTreeSet<&str> = countercheck_app::COMMANDS.iter().copied().collect();
    let defined: BTreeSet<&str> = rust.keys().map(String::as_str).collect();
    assert_eq!(
        registered, defined,
        "command_names.rs lists exactly the commands defined"
    );
    let called: BTreeSet<&str> = ts.keys().map(String::as_str).collect();
    assert_eq!(
        called, defined,
        "api.ts calls exactly the commands the app has"
    );
    for (name, (params, ret)) in &rust {
        let (args, ty) = &ts[name];
        assert_eq!(args, params, "{name}: api.ts passes the Rust parameters");
        assert_eq!(ty, ret, "{name}: api.ts expects the Rust result's type");
    }
}
