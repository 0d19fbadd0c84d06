// A macro call inside an authenticated impl block: the attribute cannot see the methods
// it expands to, which would answer without a token. Refused; `skip` marks a call that
// defines no handler.
use jwt_guard::authenticate;

macro_rules! handlers {
    ($($name:ident),*) => {
        $(async fn $name() -> &'static str { stringify!($name) })*
    };
}

macro_rules! constants {
    () => {
        const LIMIT: usize = 10;
    };
}

struct Api;

#[authenticate("jwt")]
impl Api {
    handlers!(a, b);

    #[authenticate(skip)]
    constants!();

    async fn listed() -> usize {
        Self::LIMIT
    }
}

fn main() {
    let _ = (Api::a, Api::b, Api::listed);
}
