//! What the tests share: sample mails and a small SMTP server that records
//! what it is sent.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use registrar_domain::{ConfirmationCode, Email, Language};
use registrar_mail::{Mail, MailContent};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A code with a leading zero, which must survive as six digits.
pub const CODE: u32 = 48_213;
pub const CODE_DIGITS: &str = "048213";
pub const CODE_GROUPED: &str = "048 213";
pub const LINK: &str = "http://127.0.0.1:8080/confirm/5f2b9c0d4e7a1b3c5d6e7f8091a2b3c4";
pub const RESET_LINK: &str = "http://127.0.0.1:8080/reset-password/9a8b7c6d5e4f30211203f4e5d6c7b8a9";
pub const SIGNUP_LINK: &str = "http://127.0.0.1:8080/confirm/signup/0c1d2e3f40516273";
pub const ADDRESS: &str = "jane.doe@example.com";

/// One mail of every kind, each with its own link.
pub fn every_content() -> Vec<MailContent> {
    vec![
        MailContent::Confirmation {
            code: ConfirmationCode::from_number(CODE),
            link: LINK.to_owned(),
        },
        MailContent::SignupConfirmation {
            link: SIGNUP_LINK.to_owned(),
        },
        MailContent::SignupAttempt {
            reset_link: RESET_LINK.to_owned(),
        },
        MailContent::PasswordReset {
            link: RESET_LINK.to_owned(),
        },
        MailContent::PasswordChanged {
            reset_link: RESET_LINK.to_owned(),
        },
    ]
}

/// The link a mail of this content must carry.
pub fn link_of(content: &MailContent) -> &str {
    match content {
        MailContent::Confirmation { link, .. }
        | MailContent::SignupConfirmation { link }
        | MailContent::PasswordReset { link } => link,
        MailContent::SignupAttempt { reset_link } | MailContent::PasswordChanged { reset_link } => reset_link,
    }
}

pub fn mail(language: Language, name: Option<&str>, content: MailContent) -> Mail {
    Mail {
        to: Email::parse(ADDRESS).expect("the sample address is valid"),
        name: name.map(str::to_owned),
        language,
        content,
    }
}

pub fn confirmation(language: Language) -> Mail {
    let content = every_content().remove(0);
    mail(language, Some("Jane"), content)
}

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
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
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
