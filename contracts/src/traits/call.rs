//! What a cross-contract call returned, as the caller's own result: one
//! mapping for every contract that calls another through `try_invoke`.

/// Where a call's `try_invoke` leaves the callee's reply: the environment's
/// error (the call could not be made, or trapped), then ink!'s `LangError`
/// (the callee did not know the message), then the message's own result.
pub type Invoked<T, E> = Result<ink::MessageResult<Result<T, E>>, ink::env::Error>;

/// An error of a contract that calls others.
pub trait CallerError: Sized {
    /// The call could not be made or trapped (wrong address, out of gas),
    /// or the callee did not know the message.
    fn call_failed() -> Self;

    /// The callee's reply as the caller's result: the callee's error
    /// converted, [`CallerError::call_failed`] for the two outer errors.
    fn from_call<T, E: Into<Self>>(invoked: Invoked<T, E>) -> Result<T, Self> {
        Self::from_query(invoked)?.map_err(Into::into)
    }

    /// The reply of a message that cannot refuse (a query such as
    /// `details`), [`CallerError::call_failed`] for the two outer errors.
    fn from_query<T>(invoked: Result<ink::MessageResult<T>, ink::env::Error>) -> Result<T, Self> {
        invoked
            .map_err(|_| Self::call_failed())?
            .map_err(|_| Self::call_failed())
    }
}
