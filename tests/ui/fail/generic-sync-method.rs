// A sync method whose return type names a generic parameter: the not-a-future assertion
// would be checked on `F`, not on the type a router instantiates it with
// (`Gen::<SomeFuture>::sneaky` would be an unguarded handler). Refused unless `skip`.
use std::marker::PhantomData;

use jwt_guard::authenticate;

struct Gen<F>(PhantomData<F>);

#[authenticate("jwt")]
impl<F: Default> Gen<F> {
    async fn list() -> &'static str {
        "protected"
    }

    fn sneaky() -> F {
        F::default()
    }

    fn make() -> Self {
        Gen(PhantomData)
    }

    fn wrapped<T: Default>() -> Option<T> {
        Some(T::default())
    }

    #[authenticate(skip)]
    fn fine() -> F {
        F::default()
    }

    // Concrete: checked by the assertion, allowed.
    fn count() -> usize {
        0
    }
}

fn main() {
    let _ = (
        Gen::<u8>::list,
        Gen::<u8>::sneaky,
        Gen::<u8>::make,
        Gen::<u8>::wrapped::<u8>,
        Gen::<u8>::fine,
        Gen::<u8>::count,
    );
}
