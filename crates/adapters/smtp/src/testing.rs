//! Test support (feature `testing`): an SMTP server on 127.0.0.1 that speaks
//! just enough SMTP for lettre and records what it receives — a real SMTP
//! conversation for this crate's tests and the app's outbox tests.

#![allow(clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the sink server was sent in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as sent after DATA, dot-unstuffed, without the final dot.
    pub data: String,
}

/// How the sink server answers.
#[derive(Debug, Clone, Copy)]
pub enum Behaviour {
    /// Takes every message.
    Accept,
    /// Answers RCPT TO with this code.
    RejectRecipient(u16),
    /// Accepts the connection and never says a word.
    Silent,
    /// On the first connection, takes the message after DATA and then never
    /// answers; later connections accept.
    StallAfterFirstData,
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    connections: usize,
}

/// An SMTP server on 127.0.0.1 that speaks just enough SMTP for lettre.
pub struct SmtpSink {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl SmtpSink {
    pub async fn start(behaviour: Behaviour) -> Self {
        Self::start_on(0, behaviour).await
    }

    /// On a given port (0: any free one), e.g. one a server was configured
    /// with before the sink came up.
    pub async fn start_on(port: u16, behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the sink's port");
        let addr = listener.local_addr().expect("a bound listener has an address");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let first = {
                    let mut state = shared.lock().expect("sink state");
                    state.connections += 1;
                    state.connections == 1
                };
                let behaviour = match behaviour {
                    Behaviour::StallAfterFirstData if !first => Behaviour::Accept,
                    other => other,
                };
                tokio::spawn(serve(stream, behaviour, Arc::clone(&shared)));
            }
        });
        Self { addr, state }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().expect("sink state").received.clone()
    }

    pub fn connections(&self) -> usize {
        self.state.lock().expect("sink state").connections
    }
}

async fn serve(stream: TcpStream, behaviour: Behaviour, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    if let Behaviour::Silent = behaviour {
        tokio::time::sleep(Duration::from_secs(60)).await;
        return Ok(());
    }
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut current = Received::default();
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" => "250-sink.test\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n".to_owned(),
            "HELO" => "250 sink.test\r\n".to_owned(),
            "MAIL" => {
                current = Received {
                    mail_from: argument(command),
                    ..Received::default()
                };
                "250 2.1.0 Ok\r\n".to_owned()
            }
            "RCPT" => match behaviour {
                Behaviour::RejectRecipient(code) => {
                    let enhanced = if code >= 500 { "5.1.1" } else { "4.2.1" };
                    format!(
                        "{code} {enhanced} {}: Recipient address rejected\r\n",
                        argument(command)
                    )
                }
                _ => {
                    current.rcpt_to.push(argument(command));
                    "250 2.1.5 Ok\r\n".to_owned()
                }
            },
            "DATA" => {
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                current.data = read_data(&mut read).await?;
                if let Behaviour::StallAfterFirstData = behaviour {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    return Ok(());
                }
                state
                    .lock()
                    .expect("sink state")
                    .received
                    .push(std::mem::take(&mut current));
                "250 2.0.0 Ok: queued\r\n".to_owned()
            }
            "RSET" => {
                current = Received::default();
                "250 2.0.0 Ok\r\n".to_owned()
            }
            "NOOP" => "250 2.0.0 Ok\r\n".to_owned(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 Command not recognized\r\n".to_owned(),
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// `MAIL FROM:<a@b> BODY=8BITMIME` → `<a@b>`.
fn argument(command: &str) -> String {
    let after_colon = command.split_once(':').map(|(_, rest)| rest).unwrap_or_default();
    after_colon.split_whitespace().next().unwrap_or_default().to_owned()
}

async fn read_data(read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> std::io::Result<String> {
    let mut data = String::new();
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).await? == 0 || line == ".\r\n" {
            return Ok(data);
        }
        data.push_str(
            line.strip_prefix('.')
                .filter(|_| line.starts_with(".."))
                .unwrap_or(&line),
        );
    }
}

/// The plain-text and HTML parts of a raw message, found by their headers.
pub fn parts(raw: &str) -> (String, String) {
    let mut text = None;
    let mut html = None;
    for part in raw.split("\r\n--") {
        let Some((headers, body)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        if headers.contains("Content-Type: text/plain") {
            text = Some(body.to_owned());
        } else if headers.contains("Content-Type: text/html") {
            html = Some(body.to_owned());
        }
    }
    (
        text.expect("the message has a text/plain part"),
        html.expect("the message has a text/html part"),
    )
}
