//! The hot-path queries of the Neo4j backend must be planned as index seeks. The driver does
//! not expose `EXPLAIN` plans, so this test speaks just enough Bolt 4.4 and PackStream to
//! send `EXPLAIN <query>` and read the plan from the summary.

use std::collections::BTreeMap;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{neo4j_options, neo4j_store, NEO4J_SERIAL};

#[derive(Debug, Clone)]
enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Bytes(Vec<u8>),
    Str(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Struct(u8, Vec<Value>),
}

fn put_len(out: &mut Vec<u8>, len: usize, tiny: u8, markers: [u8; 3]) {
    if len < 16 {
        out.push(tiny | len as u8);
    } else if len <= 0xFF {
        out.extend([markers[0], len as u8]);
    } else if len <= 0xFFFF {
        out.push(markers[1]);
        out.extend((len as u16).to_be_bytes());
    } else {
        out.push(markers[2]);
        out.extend((len as u32).to_be_bytes());
    }
}

fn encode(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(0xC0),
        Value::Bool(b) => out.push(if *b { 0xC3 } else { 0xC2 }),
        Value::Int(i) => {
            if (-16..=127).contains(i) {
                out.push(*i as i8 as u8);
            } else {
                out.push(0xCB);
                out.extend(i.to_be_bytes());
            }
        }
        Value::Float(f) => {
            out.push(0xC1);
            out.extend(f.to_be_bytes());
        }
        Value::Bytes(b) => {
            out.extend([0xCE]);
            out.extend((b.len() as u32).to_be_bytes());
            out.extend(b);
        }
        Value::Str(s) => {
            put_len(out, s.len(), 0x80, [0xD0, 0xD1, 0xD2]);
            out.extend(s.as_bytes());
        }
        Value::List(items) => {
            put_len(out, items.len(), 0x90, [0xD4, 0xD5, 0xD6]);
            items.iter().for_each(|i| encode(i, out));
        }
        Value::Map(map) => {
            put_len(out, map.len(), 0xA0, [0xD8, 0xD9, 0xDA]);
            for (k, v) in map {
                encode(&Value::Str(k.clone()), out);
                encode(v, out);
            }
        }
        Value::Struct(tag, fields) => {
            out.push(0xB0 | fields.len() as u8);
            out.push(*tag);
            fields.iter().for_each(|f| encode(f, out));
        }
    }
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let s = &self.data[self.at..self.at + n];
        self.at += n;
        s
    }

    fn uint(&mut self, n: usize) -> usize {
        self.take(n).iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    }

    fn string(&mut self, len: usize) -> Value {
        Value::Str(String::from_utf8_lossy(self.take(len)).into_owned())
    }

    fn list(&mut self, len: usize) -> Value {
        Value::List((0..len).map(|_| self.value()).collect())
    }

    fn map(&mut self, len: usize) -> Value {
        let mut map = BTreeMap::new();
        for _ in 0..len {
            let Value::Str(k) = self.value() else { panic!("map key is not a string") };
            map.insert(k, self.value());
        }
        Value::Map(map)
    }

    fn value(&mut self) -> Value {
        let m = self.take(1)[0];
        match m {
            0x00..=0x7F => Value::Int(i64::from(m)),
            0xF0..=0xFF => Value::Int(i64::from(m as i8)),
            0x80..=0x8F => self.string(usize::from(m & 0x0F)),
            0x90..=0x9F => self.list(usize::from(m & 0x0F)),
            0xA0..=0xAF => self.map(usize::from(m & 0x0F)),
            0xB0..=0xBF => {
                let tag = self.take(1)[0];
                Value::Struct(tag, (0..(m & 0x0F)).map(|_| self.value()).collect())
            }
            0xC0 => Value::Null,
            0xC1 => Value::Float(f64::from_be_bytes(self.take(8).try_into().unwrap())),
            0xC2 => Value::Bool(false),
            0xC3 => Value::Bool(true),
            0xC8 => Value::Int(i64::from(self.take(1)[0] as i8)),
            0xC9 => Value::Int(i64::from(i16::from_be_bytes(self.take(2).try_into().unwrap()))),
            0xCA => Value::Int(i64::from(i32::from_be_bytes(self.take(4).try_into().unwrap()))),
            0xCB => Value::Int(i64::from_be_bytes(self.take(8).try_into().unwrap())),
            0xCC..=0xCE => {
                let len = self.uint(1 << (m - 0xCC));
                Value::Bytes(self.take(len).to_vec())
            }
            0xD0..=0xD2 => {
                let len = self.uint(1 << (m - 0xD0));
                self.string(len)
            }
            0xD4..=0xD6 => {
                let len = self.uint(1 << (m - 0xD4));
                self.list(len)
            }
            0xD8..=0xDA => {
                let len = self.uint(1 << (m - 0xD8));
                self.map(len)
            }
            other => panic!("unsupported PackStream marker {other:#x}"),
        }
    }
}

struct Bolt {
    stream: TcpStream,
}

impl Bolt {
    async fn connect(url: &str, user: &str, password: &str) -> Self {
        let address = url.split("://").nth(1).unwrap_or(url).trim_end_matches('/');
        let mut stream = TcpStream::connect(address).await.expect("connect to Neo4j");
        stream
            .write_all(&[0x60, 0x60, 0xB0, 0x17, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
            .await
            .unwrap();
        let mut version = [0u8; 4];
        stream.read_exact(&mut version).await.unwrap();
        assert_eq!(version, [0, 0, 4, 4], "Bolt 4.4 not accepted");
        let mut bolt = Bolt { stream };
        let hello = map(&[
            ("user_agent", Value::Str("honestly-explain-test/1".into())),
            ("scheme", Value::Str("basic".into())),
            ("principal", Value::Str(user.into())),
            ("credentials", Value::Str(password.into())),
        ]);
        bolt.send(Value::Struct(0x01, vec![hello])).await;
        bolt.success().await;
        bolt
    }

    async fn send(&mut self, message: Value) {
        let mut body = Vec::new();
        encode(&message, &mut body);
        let mut framed = Vec::new();
        for chunk in body.chunks(0xFFFF) {
            framed.extend((chunk.len() as u16).to_be_bytes());
            framed.extend(chunk);
        }
        framed.extend([0, 0]);
        self.stream.write_all(&framed).await.unwrap();
    }

    async fn receive(&mut self) -> Value {
        let mut body = Vec::new();
        loop {
            let mut len = [0u8; 2];
            self.stream.read_exact(&mut len).await.unwrap();
            let len = usize::from(u16::from_be_bytes(len));
            if len == 0 {
                if body.is_empty() {
                    continue; // NOOP keep-alive
                }
                break;
            }
            let start = body.len();
            body.resize(start + len, 0);
            self.stream.read_exact(&mut body[start..]).await.unwrap();
        }
        Reader { data: &body, at: 0 }.value()
    }

    /// The metadata of the next SUCCESS, skipping records; panics on FAILURE.
    async fn success(&mut self) -> BTreeMap<String, Value> {
        loop {
            match self.receive().await {
                Value::Struct(0x70, mut fields) => match fields.pop() {
                    Some(Value::Map(meta)) => return meta,
                    other => panic!("SUCCESS without metadata: {other:?}"),
                },
                Value::Struct(0x71, _) => continue,
                other => panic!("Neo4j answered {other:?}"),
            }
        }
    }

    /// The plan of `EXPLAIN cypher`, its operator names depth first.
    async fn explain(&mut self, cypher: &str) -> Vec<String> {
        let run =
            Value::Struct(0x10, vec![Value::Str(format!("EXPLAIN {cypher}")), params(cypher), map(&[])]);
        self.send(run).await;
        self.success().await;
        self.send(Value::Struct(0x3F, vec![map(&[("n", Value::Int(-1))])])).await;
        let summary = self.success().await;
        let mut operators = Vec::new();
        collect_operators(summary.get("plan").expect("EXPLAIN returns a plan"), &mut operators);
        operators
    }
}

fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(entries.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect())
}

/// A plausible value for every `$parameter` of `cypher` (integers for the numeric ones, lists
/// of maps for the unwound ones).
fn params(cypher: &str) -> Value {
    let mut out = BTreeMap::new();
    for part in cypher.split('$').skip(1) {
        let name: String = part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let numeric = ["limit", "now", "before", "after", "expires_at", "since"].contains(&name.as_str());
        // Grouped statements unwind a list of maps.
        let listed = ["links", "owners"].contains(&name.as_str());
        let value = if numeric {
            Value::Int(10)
        } else if listed {
            Value::List(vec![map(&[])])
        } else {
            Value::Str("x".into())
        };
        out.insert(name, value);
    }
    Value::Map(out)
}

fn collect_operators(plan: &Value, out: &mut Vec<String>) {
    let Value::Map(plan) = plan else { return };
    if let Some(Value::Str(op)) = plan.get("operatorType") {
        out.push(op.clone());
    }
    if let Some(Value::List(children)) = plan.get("children") {
        children.iter().for_each(|c| collect_operators(c, out));
    }
}

#[tokio::test]
async fn neo4j_hot_paths_seek_indexes() {
    let Some(options) = neo4j_options() else { return };
    let _serial = NEO4J_SERIAL.lock().await;
    // Connecting creates the schema the plans rely on.
    drop(neo4j_store(&options).await);
    let mut bolt = Bolt::connect(&options.url, &options.user, &options.password).await;
    let mut problems = Vec::new();
    for (name, cypher) in honestly_store::neo4j::hot_path_queries() {
        let operators = bolt.explain(cypher).await;
        let scans: Vec<_> = operators
            .iter()
            .filter(|op| op.contains("NodeByLabelScan") || op.contains("AllNodesScan"))
            .collect();
        let seeks = operators.iter().any(|op| op.contains("IndexSeek"));
        if !scans.is_empty() || !seeks {
            problems.push(format!("{name}: {operators:?}"));
        } else {
            eprintln!("{name}: {operators:?}");
        }
    }
    assert!(problems.is_empty(), "hot paths without an index seek:\n{}", problems.join("\n"));
}
