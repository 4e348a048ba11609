//! The world a run has reached, written back as a scenario without steps: the IAM state the
//! steps left, every key as it is now (state, policy, tags, aliases, current material), the
//! grants still in effect or still propagating, the key stores, and the run's clock as the
//! scenario's time. The access matrix reads it to show who can do what after the steps.

use super::{Run, World};
use crate::kms::model::Key;
use crate::scenario::{GrantDef, KeyDef, Scenario};

impl Run<'_> {
    /// The world after the steps run so far, as a scenario without steps.
    pub fn world(&self) -> Scenario {
        let mut out = self.live.get().world_copy();
        out.defaults.time = self.clock;
        let kms = &self.world.kms;
        // Keys in the scenario's order first (columns stay where the user put them), then the
        // keys steps created, oldest first.
        let mut keys: Vec<&Key> = self
            .scenario
            .keys
            .iter()
            .filter_map(|d| kms.keys.get(&d.id))
            .collect();
        let mut created: Vec<&Key> = kms
            .keys
            .values()
            .filter(|k| !self.scenario.keys.iter().any(|d| d.id == k.id))
            .collect();
        created.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
        keys.extend(created);
        out.keys = keys
            .into_iter()
            .map(|k| key_def(self.scenario, &self.world, k))
            .collect();
        out.grants = kms
            .grants
            .iter()
            .map(|g| GrantDef {
                key_id: g.key_id.clone(),
                grant_id: Some(g.id.clone()),
                name: g.name.clone(),
                grantee: g.grantee.clone(),
                retiring: g.retiring.clone(),
                operations: g.operations.clone(),
                constraint: g.constraint.clone(),
                issuing_account: g.issuing_account.clone(),
                created: Some(g.created),
                deleted: g.deleted,
            })
            .collect();
        out.stores = kms.key_stores.clone();
        out.clusters = kms.clusters.clone();
        out
    }
}

fn key_def(s: &Scenario, world: &World<'_>, k: &Key) -> KeyDef {
    let original = s.keys.iter().find(|d| d.id == k.id);
    KeyDef {
        spec: k.spec,
        usage: k.usage,
        id: k.id.clone(),
        account: k.account.clone(),
        region: k.region.clone(),
        aliases: world
            .kms
            .aliases
            .iter()
            .filter(|a| a.target == k.id)
            .map(|a| a.name.clone())
            .collect(),
        policy: k.policy.clone(),
        // Still the console's default only if no step replaced it.
        policy_is_default: original
            .is_some_and(|d| d.policy_is_default && d.policy_text == k.policy_text),
        tags: k.tags.iter().map(|(a, b)| (a.clone(), b.clone())).collect(),
        policy_text: k.policy_text.clone(),
        description: k.description.clone(),
        origin: k.origin,
        state: k.state,
        key_store: k.key_store.clone(),
        external_key_id: k.xks_key_id.clone(),
        material: k.materials.last().cloned(),
        rotation_enabled: k.rotation_enabled,
        rotation_period_days: k.rotation_period_days,
        deletion_date: k.deletion_date,
        created: Some(k.created),
    }
}
