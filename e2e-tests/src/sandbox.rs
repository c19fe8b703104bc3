//! The runtime the scenarios run on: drink's minimal pallet-contracts
//! runtime (`ink_sandbox::create_sandbox!`, whose configuration this module
//! follows line by line) with one difference — a real existential deposit.
//! drink's own sandbox has an existential deposit of 1, where every payment
//! of at least one unit succeeds; on a real chain an account holding less
//! than the existential deposit is reaped, and a payment below it to a reaped
//! account fails. The escrow must not let such a failure hold up anyone
//! else's money, so the scenarios run where it can happen.

use drink::frame_support::{
    construct_runtime, derive_impl, parameter_types,
    sp_runtime::{testing::H256, traits::Convert, AccountId32, Perbill},
    traits::{ConstBool, ConstU128, ConstU32, ConstU64, Currency, Randomness},
    weights::Weight,
};
use ink_sandbox::Snapshot;

/// Below this, an account is reaped; a payment below it to an account that
/// does not exist fails.
pub const EXISTENTIAL_DEPOSIT: u128 = 500;

construct_runtime!(
    pub enum DinfraSandboxRuntime {
        System: ink_sandbox::frame_system,
        Balances: ink_sandbox::pallet_balances,
        Timestamp: ink_sandbox::pallet_timestamp,
        Contracts: ink_sandbox::pallet_contracts,
    }
);

#[derive_impl(ink_sandbox::frame_system::config_preludes::SolochainDefaultConfig as ink_sandbox::frame_system::DefaultConfig)]
impl ink_sandbox::frame_system::Config for DinfraSandboxRuntime {
    type Block = ink_sandbox::frame_system::mocking::MockBlockU32<DinfraSandboxRuntime>;
    type Version = ();
    type BlockHashCount = ConstU32<250>;
    type AccountData = ink_sandbox::pallet_balances::AccountData<
        <DinfraSandboxRuntime as ink_sandbox::pallet_balances::Config>::Balance,
    >;
}

impl ink_sandbox::pallet_balances::Config for DinfraSandboxRuntime {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = ();
    type Balance = u128;
    type DustRemoval = ();
    type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
    type AccountStore = System;
    type ReserveIdentifier = [u8; 8];
    type FreezeIdentifier = ();
    type MaxLocks = ();
    type MaxReserves = ();
    type MaxFreezes = ();
    type RuntimeHoldReason = RuntimeHoldReason;
    type RuntimeFreezeReason = RuntimeFreezeReason;
}

impl ink_sandbox::pallet_timestamp::Config for DinfraSandboxRuntime {
    type Moment = u64;
    type OnTimestampSet = ();
    type MinimumPeriod = ConstU64<1>;
    type WeightInfo = ();
}

/// The contracts never ask for randomness.
pub enum SandboxRandomness {}
impl Randomness<H256, u32> for SandboxRandomness {
    fn random(_subject: &[u8]) -> (H256, u32) {
        unreachable!("No randomness")
    }
}

type BalanceOf = <Balances as Currency<AccountId32>>::Balance;
impl Convert<Weight, BalanceOf> for DinfraSandboxRuntime {
    fn convert(w: Weight) -> BalanceOf {
        w.ref_time().into()
    }
}

parameter_types! {
    pub SandboxSchedule: ink_sandbox::pallet_contracts::Schedule<DinfraSandboxRuntime> = {
        <ink_sandbox::pallet_contracts::Schedule<DinfraSandboxRuntime>>::default()
    };
    pub DeletionWeightLimit: Weight = Weight::zero();
    pub DefaultDepositLimit: BalanceOf = 10_000_000;
    pub CodeHashLockupDepositPercent: Perbill = Perbill::from_percent(0);
    pub MaxDelegateDependencies: u32 = 32;
}

impl ink_sandbox::pallet_contracts::Config for DinfraSandboxRuntime {
    type Time = Timestamp;
    type Randomness = SandboxRandomness;
    type Currency = Balances;
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type CallFilter = ();
    type WeightPrice = Self;
    type WeightInfo = ();
    type ChainExtension = ();
    type Schedule = SandboxSchedule;
    type CallStack = [ink_sandbox::pallet_contracts::Frame<Self>; 5];
    type DepositPerByte = ConstU128<1>;
    type DepositPerItem = ConstU128<1>;
    type AddressGenerator = ink_sandbox::pallet_contracts::DefaultAddressGenerator;
    type MaxCodeLen = ConstU32<{ 123 * 1024 }>;
    type MaxStorageKeyLen = ConstU32<128>;
    type UnsafeUnstableInterface = ConstBool<false>;
    type UploadOrigin = ink_sandbox::frame_system::EnsureSigned<Self::AccountId>;
    type InstantiateOrigin = ink_sandbox::frame_system::EnsureSigned<Self::AccountId>;
    type MaxDebugBufferLen = ConstU32<{ 2 * 1024 * 1024 }>;
    type Migrations = ();
    type DefaultDepositLimit = DefaultDepositLimit;
    type Debug = drink::pallet_contracts_debugging::DrinkDebug;
    type CodeHashLockupDepositPercent = CodeHashLockupDepositPercent;
    type MaxDelegateDependencies = MaxDelegateDependencies;
    type RuntimeHoldReason = RuntimeHoldReason;
    type Environment = ();
    type Xcm = ();
    type ApiVersion = ();
}

/// Free balance of the default actor at genesis.
pub const GENESIS_BALANCE: u128 = 1_000_000_000_000_000;
/// The default actor (the deployer, admin of every contract).
pub const DEFAULT_ACCOUNT: AccountId32 = AccountId32::new([1u8; 32]);

/// The sandbox every scenario's session runs.
pub struct DinfraSandbox {
    ext: ink_sandbox::TestExternalities,
}

impl Default for DinfraSandbox {
    fn default() -> Self {
        let ext = ink_sandbox::macros::BlockBuilder::<DinfraSandboxRuntime>::new_ext(vec![(
            DEFAULT_ACCOUNT,
            GENESIS_BALANCE,
        )]);
        Self { ext }
    }
}

impl ink_sandbox::Sandbox for DinfraSandbox {
    type Runtime = DinfraSandboxRuntime;

    fn execute_with<T>(&mut self, execute: impl FnOnce() -> T) -> T {
        self.ext.execute_with(execute)
    }

    fn dry_run<T>(&mut self, action: impl FnOnce(&mut Self) -> T) -> T {
        // Run the action on a backup of the backend, then restore it.
        let backend_backup = self.ext.as_backend();
        let result = action(self);
        self.ext.commit_all().expect("Failed to commit changes");
        self.ext.backend = backend_backup;
        result
    }

    fn register_extension<E: ::core::any::Any + ink_sandbox::Extension>(&mut self, ext: E) {
        self.ext.register_extension(ext);
    }

    fn initialize_block(
        height: ink_sandbox::frame_system::pallet_prelude::BlockNumberFor<Self::Runtime>,
        parent_hash: <Self::Runtime as ink_sandbox::frame_system::Config>::Hash,
    ) {
        ink_sandbox::macros::BlockBuilder::<Self::Runtime>::initialize_block(height, parent_hash)
    }

    fn finalize_block(
        height: ink_sandbox::frame_system::pallet_prelude::BlockNumberFor<Self::Runtime>,
    ) -> <Self::Runtime as ink_sandbox::frame_system::Config>::Hash {
        ink_sandbox::macros::BlockBuilder::<Self::Runtime>::finalize_block(height)
    }

    fn default_actor() -> ink_sandbox::AccountIdFor<Self::Runtime> {
        DEFAULT_ACCOUNT
    }

    fn get_metadata() -> ink_sandbox::RuntimeMetadataPrefixed {
        Self::Runtime::metadata()
    }

    fn convert_account_to_origin(
        account: ink_sandbox::AccountIdFor<Self::Runtime>,
    ) -> <<Self::Runtime as ink_sandbox::frame_system::Config>::RuntimeCall as drink::frame_support::sp_runtime::traits::Dispatchable>::RuntimeOrigin{
        Some(account).into()
    }

    fn take_snapshot(&mut self) -> Snapshot {
        let mut backend = self.ext.as_backend().clone();
        let raw_key_values = backend
            .backend_storage_mut()
            .drain()
            .into_iter()
            .filter(|(_, (_, r))| *r > 0)
            .collect::<Vec<(Vec<u8>, (Vec<u8>, i32))>>();
        let root = backend.root().to_owned();
        Snapshot {
            storage: raw_key_values,
            storage_root: root,
        }
    }

    fn restore_snapshot(&mut self, snapshot: Snapshot) {
        self.ext = ink_sandbox::TestExternalities::from_raw_snapshot(
            snapshot.storage,
            snapshot.storage_root,
            Default::default(),
        );
    }
}
