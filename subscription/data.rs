//! The subscription contract's records and indexes as a plain type: each
//! subscription by id, every consumer's and provider's subscriptions in the
//! order they came (so pages are stable), and how many are live.

use dinfra::lifecycle::Subscription;
use dinfra::traits::{AccessRecord, SubscriptionError, SubscriptionPage};
use dinfra::types::{check_limit, page_range, within_reply, AccountId, SubscriptionId};
use ink::storage::{traits::ManualKey, Lazy, Mapping};

/// The subscription contract's storage keys: fixed, so that upgraded code
/// finds every record where this code left it (a new field gets a new key).
pub mod keys {
    pub const AWARD: u32 = 0x7375_0001;
    pub const REGISTRY: u32 = 0x7375_0002;
    pub const ESCROW: u32 = 0x7375_0003;
    pub const PARAMETERS: u32 = 0x7375_0004;
    pub const SUBSCRIPTIONS: u32 = 0x7375_0005;
    pub const NEXT_ID: u32 = 0x7375_0006;
    pub const LIVE: u32 = 0x7375_0007;
    pub const LISTED: u32 = 0x7375_0008;
    pub const LIST: u32 = 0x7375_0009;
    /// Only in the upgrade fixture (`fixtures/upgraded/`): a field that v1
    /// storage does not have.
    pub const UPGRADE_NOTE: u32 = 0x7375_000a;
    pub const LONGEST_NOTICE: u32 = 0x7375_000b;
    pub const ACCESS: u32 = 0x7375_000c;
}

type Result<T> = core::result::Result<T, SubscriptionError>;

/// An account's list in a role, and a position in it.
type ListPosition = (Role, AccountId, u32);

/// Whose list of subscriptions.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Consumer,
    Provider,
}

#[ink::storage_item]
#[derive(Default, Debug)]
pub struct SubscriptionData {
    subscriptions: Mapping<SubscriptionId, Subscription, ManualKey<{ keys::SUBSCRIPTIONS }>>,
    next_id: Lazy<SubscriptionId, ManualKey<{ keys::NEXT_ID }>>,
    /// Subscriptions not closed: each holds one reserved deployment.
    live: Lazy<u64, ManualKey<{ keys::LIVE }>>,
    /// How many subscriptions each account has in each role. A provider's
    /// list holds every subscription ever awarded to it (a reaward lists it
    /// under the new provider too).
    listed: Mapping<(Role, AccountId), u32, ManualKey<{ keys::LISTED }>>,
    /// Position in an account's list → subscription id.
    list: Mapping<ListPosition, SubscriptionId, ManualKey<{ keys::LIST }>>,
    /// How to reach each ready deployment, as its provider published it
    /// (a key of its own: records written before it existed still decode).
    access: Mapping<SubscriptionId, AccessRecord, ManualKey<{ keys::ACCESS }>>,
}

impl SubscriptionData {
    /// The id the next subscription will get.
    pub fn next_id(&self) -> SubscriptionId {
        self.next_id.get_or_default()
    }

    /// Stores a new subscription under the next id and indexes it.
    pub fn insert(&mut self, subscription: &Subscription) -> Result<SubscriptionId> {
        let id = self.next_id();
        let next_id = id.checked_add(1).ok_or(SubscriptionError::Overflow)?;
        let live = self
            .live()
            .checked_add(1)
            .ok_or(SubscriptionError::Overflow)?;
        self.push(Role::Consumer, subscription.consumer, id)?;
        self.push(Role::Provider, subscription.provider, id)?;
        self.subscriptions.insert(id, subscription);
        self.next_id.set(&next_id);
        self.live.set(&live);
        Ok(id)
    }

    pub fn get(&self, id: SubscriptionId) -> Result<Subscription> {
        self.subscriptions
            .get(id)
            .ok_or(SubscriptionError::NotFound)
    }

    pub fn find(&self, id: SubscriptionId) -> Option<Subscription> {
        self.subscriptions.get(id)
    }

    /// The access record published with `mark_ready`, if any.
    pub fn access(&self, id: SubscriptionId) -> Option<AccessRecord> {
        self.access.get(id)
    }

    pub fn set_access(&mut self, id: SubscriptionId, access: &AccessRecord) {
        self.access.insert(id, access);
    }

    /// Writes back a subscription that stays live.
    pub fn update(&mut self, id: SubscriptionId, subscription: &Subscription) {
        self.subscriptions.insert(id, subscription);
    }

    /// Writes back a subscription that was just closed.
    pub fn update_closed(&mut self, id: SubscriptionId, subscription: &Subscription) -> Result<()> {
        let live = self
            .live()
            .checked_sub(1)
            .ok_or(SubscriptionError::Overflow)?;
        self.live.set(&live);
        self.subscriptions.insert(id, subscription);
        Ok(())
    }

    /// Lists a reawarded subscription under its new provider.
    pub fn index_provider(&mut self, provider: AccountId, id: SubscriptionId) -> Result<()> {
        self.push(Role::Provider, provider, id)
    }

    fn push(&mut self, role: Role, account: AccountId, id: SubscriptionId) -> Result<()> {
        let position = self.listed_count(role, account);
        let count = position.checked_add(1).ok_or(SubscriptionError::Overflow)?;
        self.list.insert((role, account, position), &id);
        self.listed.insert((role, account), &count);
        Ok(())
    }

    fn listed_count(&self, role: Role, account: AccountId) -> u32 {
        self.listed.get((role, account)).unwrap_or(0)
    }

    pub fn count(&self) -> SubscriptionId {
        self.next_id()
    }

    pub fn live(&self) -> u64 {
        self.live.get_or_default()
    }

    /// At most `limit` (1..=`MAX_PAGE`) of `account`'s subscriptions as
    /// consumer or provider, from position `cursor`, with their total; fewer
    /// when they would not fit in one reply (see [`within_reply`]).
    pub fn page(
        &self,
        role: Role,
        account: AccountId,
        cursor: u32,
        limit: u32,
    ) -> Result<SubscriptionPage> {
        check_limit(limit)?;
        let total = self.listed_count(role, account);
        let entries = within_reply(
            page_range(cursor, limit, total)
                .filter_map(|position| self.list.get((role, account, position)))
                .filter_map(|id| self.subscriptions.get(id).map(|s| (id, s))),
        );
        Ok((total, entries))
    }
}
