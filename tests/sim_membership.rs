use overparam::sim::membership::MembershipSimulation;
use overparam::theory::membership::Membership;
use std::time::Instant;

#[test]
fn measure() {
    for &(g, k, s, l, n, t) in &[
        (0.5, 0.25, 1.0, 0.0, 200usize, 2000usize),
        (1.5, 0.1, 0.7071, 0.2, 200, 2000),
        (3.0, 0.25, 1.0, 1.0, 100, 2000),
        (5.0, 0.0, 1.0, 0.0, 100, 2000),
        (2.005, 0.0, 1.0, 0.0, 200, 2000),
    ] {
        let m = Membership { gamma: g, kappa: k, sigma: s, lambda: l, output_noise: 0.0 }.check().unwrap();
        let th = m.output_attack().unwrap();
        let st = Instant::now();
        let r = MembershipSimulation { n, trials: t, seed: 7 }.check().unwrap().output_attack(&m).unwrap();
        println!("OUT g={g} k={k} l={l} n={n} time {:?}", st.elapsed());
        println!("  V0 th {:.4} rb {:.4}±{:.4} s {:.4}±{:.4}", th.v0, r.v0_rao_blackwell.value, r.v0_rao_blackwell.std_err, r.v0.value, r.v0.std_err);
        println!("  V1 th {:.4} rb {:.4}±{:.4} s {:.4}±{:.4}", th.v1, r.v1_rao_blackwell.value, r.v1_rao_blackwell.std_err, r.v1.value, r.v1.std_err);
        println!("  adv th {:.4} rb {:.4}±{:.4} plug {:.4}±{:.4} split {:.4}±{:.4} max {:.4}", th.advantage, r.advantage_rao_blackwell.value, r.advantage_rao_blackwell.std_err, r.advantage_plugin.value, r.advantage_plugin.std_err, r.advantage_split.value, r.advantage_split.std_err, r.advantage_max_threshold);
        let auc_th = if th.test.member_has_larger_variance() { th.auc } else { 1.0 - th.auc };
        println!("  aucML th {:.4} mw {:.4}±{:.4}; test err th {:.4} rb {:.4}±{:.4}", auc_th, r.auc_member_larger.value, r.auc_member_larger.std_err, m.utility().unwrap().test_error, r.test_error.value, r.test_error.std_err);
    }
    for &(g, l, n, t) in &[(0.5, 0.0, 200usize, 200usize), (2.0, 1.0, 200, 200), (4.0, 10.0, 100, 200), (3.0,0.0,100,20)] {
        let m = Membership { gamma: g, kappa: 0.2, sigma: 1.0, lambda: l, output_noise: 0.0 }.check().unwrap();
        let th = m.loss_attack().unwrap();
        let st = Instant::now();
        let r = MembershipSimulation { n, trials: t, seed: 7 }.check().unwrap().loss_attack(&m).unwrap();
        println!("LOSS g={g} l={l} n={n} time {:?}", st.elapsed());
        println!("  S th {:.4} sim {:.4}±{:.4}; adv th {:.4} plug {:.4}±{:.4} split {:.4}±{:.4} max {:.4}; auc th {:.4} {:.4}±{:.4}; R th {:.4} sim {:.4}±{:.4}", th.shrinkage, r.shrinkage.value, r.shrinkage.std_err, th.advantage, r.advantage_plugin.value, r.advantage_plugin.std_err, r.advantage_split.value, r.advantage_split.std_err, r.advantage_max_threshold, th.auc, r.auc.value, r.auc.std_err, th.nonmember_variance, r.nonmember_variance.value, r.nonmember_variance.std_err);
    }
}
