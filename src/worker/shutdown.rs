//! Stop signals as a watch channel: every part of the worker holds a receiver and checks or awaits
//! it, so one SIGTERM reaches the consumer loop, the jobs and the health server alike.

use tokio::sync::watch;

/// A one-way switch: off until triggered, then on for good.
#[derive(Clone)]
pub struct Trigger(watch::Sender<bool>);

/// Waits for a `Trigger`.
#[derive(Clone)]
pub struct Signal(watch::Receiver<bool>);

pub fn channel() -> (Trigger, Signal) {
    let (tx, rx) = watch::channel(false);
    (Trigger(tx), Signal(rx))
}

impl Trigger {
    pub fn fire(&self) {
        self.0.send_replace(true);
    }
    pub fn signal(&self) -> Signal {
        Signal(self.0.subscribe())
    }
}

impl Signal {
    pub fn is_fired(&self) -> bool {
        *self.0.borrow()
    }
    /// Resolves once fired (immediately if it already was). A dropped trigger counts as never
    /// firing, so this then pends forever rather than spuriously stopping work.
    pub async fn fired(&mut self) {
        if self.0.wait_for(|v| *v).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Fires `trigger` on the first SIGTERM or SIGINT.
pub fn on_stop_signals(trigger: Trigger) -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        tracing::info!("{name} received: draining");
        trigger.fire();
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn fires_once_for_every_receiver() {
        let (trigger, signal) = channel();
        let mut a = signal.clone();
        let mut b = trigger.signal();
        assert!(!a.is_fired());
        let waiter = tokio::spawn(async move { a.fired().await });
        trigger.fire();
        tokio::time::timeout(std::time::Duration::from_secs(1), waiter).await.unwrap().unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(1), b.fired()).await.unwrap();
        assert!(signal.is_fired());
    }
}
