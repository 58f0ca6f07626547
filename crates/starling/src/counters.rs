//! Counts of the engine's work, for tests and monitoring: they prove by
//! counting, not timing, that one event costs the same however many
//! transfers exist.

/// Monotonic counters of a multi handle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Transfers the engine looked at (started, progressed, finished).
    pub transfers_touched: u64,
    /// Connections the engine drove (one per socket event or hand-over).
    pub connections_touched: u64,
    /// Socket callbacks made.
    pub socket_callbacks: u64,
    /// Timer callbacks made.
    pub timer_callbacks: u64,
    /// Connections opened.
    pub connections_opened: u64,
    /// Calls of `socket_action` (a busy event loop shows here).
    pub socket_actions: u64,
}

impl Counters {
    /// Transfers plus connections touched: the work measure.
    pub fn touched(&self) -> u64 {
        self.transfers_touched + self.connections_touched
    }
}
