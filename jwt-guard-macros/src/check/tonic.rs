//! tonic services, refused before anything is rewritten. tonic calls a service's methods
//! through its generated service, with `tonic::Request<T>` (not `http::Request<B>`) and a
//! signature fixed by the trait, so the hidden guard and the wrapped return type can only
//! break the impl; the gRPC layer is the way to protect them.

use proc_macro2::Span;
use syn::visit_mut::VisitMut;
use syn::{FnArg, ImplItem, ItemImpl, ReturnType, Signature, Type, TypePath};

use crate::ty::{last_segment, single_type_argument};

/// The one error for `#[authenticate]` on a tonic service (a method or the impl block).
pub(crate) fn tonic_service_error() -> syn::Error {
    syn::Error::new(
        Span::call_site(),
        "#[authenticate] cannot guard a tonic service: tonic calls its methods through the \
         generated service, which runs no extractor and fixes the signature; protect the \
         server with `jwt_guard::tonic::GrpcAuthLayer` instead \
         (`Server::builder().layer(GrpcAuthLayer::new(policy))`, a `Policy` per method with \
         `.method(\"/package.Service/Method\", policy)`), and read the caller in the method \
         with `request.extensions().get::<jwt_guard::Principal>()`",
    )
}

/// True for a tonic service method: it takes `self` and a `Request<T>` and returns
/// `Result<Response<_>, Status>` — as written, or inside the boxed future
/// `#[tonic::async_trait]` turns it into when it expanded first. A signature that names
/// `tonic::` in a parameter or the return type counts too.
pub(crate) fn is_tonic_method(sig: &Signature) -> bool {
    let ReturnType::Type(_, output) = &sig.output else {
        return false;
    };
    let types = || {
        sig.inputs.iter().filter_map(|arg| match arg {
            FnArg::Typed(typed) => Some(&*typed.ty),
            FnArg::Receiver(_) => None,
        })
    };
    if names_tonic(output) || types().any(names_tonic) {
        return true;
    }
    let has_receiver = sig.receiver().is_some();
    let takes_request = types().any(|ty| {
        last_segment(ty).is_some_and(|s| s.ident == "Request" && single_type_argument(s).is_some())
    });
    has_receiver && takes_request && returns_grpc_result(output)
}

/// True for `impl Service for X` whose attributes name `tonic::async_trait`, or with a
/// method that [looks like a tonic service method](is_tonic_method).
pub(crate) fn is_tonic_impl(block: &ItemImpl) -> bool {
    if block.trait_.is_none() {
        return false;
    }
    let tonic_attr = block.attrs.iter().any(|attr| {
        let segments: Vec<String> = attr
            .path()
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        segments.first().is_some_and(|s| s == "tonic")
            && segments.last().is_some_and(|s| s == "async_trait")
    });
    tonic_attr
        || block.items.iter().any(|item| match item {
            ImplItem::Fn(method) => is_tonic_method(&method.sig),
            _ => false,
        })
}

/// True when `ty` contains a path starting with `tonic::`.
fn names_tonic(ty: &Type) -> bool {
    struct Finder(bool);
    impl VisitMut for Finder {
        fn visit_type_path_mut(&mut self, path: &mut TypePath) {
            let segments = &path.path.segments;
            if path.qself.is_none()
                && segments.len() > 1
                && segments.first().is_some_and(|s| s.ident == "tonic")
            {
                self.0 = true;
            }
            syn::visit_mut::visit_type_path_mut(self, path);
        }
    }
    let mut finder = Finder(false);
    finder.visit_type_mut(&mut ty.clone());
    finder.0
}

/// True when `ty` contains `Result<Response<..>, Status>` anywhere (also as the `Output`
/// of a boxed future).
fn returns_grpc_result(ty: &Type) -> bool {
    struct Finder(bool);
    impl VisitMut for Finder {
        fn visit_type_path_mut(&mut self, path: &mut TypePath) {
            let ty = Type::Path(path.clone());
            if let Some(segment) = last_segment(&ty)
                && segment.ident == "Result"
                && let syn::PathArguments::AngleBracketed(args) = &segment.arguments
            {
                let types: Vec<&Type> = args
                    .args
                    .iter()
                    .filter_map(|arg| match arg {
                        syn::GenericArgument::Type(ty) => Some(ty),
                        _ => None,
                    })
                    .collect();
                if let [ok, err] = types[..]
                    && last_segment(ok).is_some_and(|s| s.ident == "Response")
                    && last_segment(err).is_some_and(|s| s.ident == "Status")
                {
                    self.0 = true;
                }
            }
            syn::visit_mut::visit_type_path_mut(self, path);
        }
    }
    let mut finder = Finder(false);
    finder.visit_type_mut(&mut ty.clone());
    finder.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(src: &str) -> Signature {
        syn::parse_str(src).unwrap()
    }

    #[test]
    fn tonic_methods_by_signature() {
        for src in [
            "async fn get(&self, request: Request<GetRequest>) -> Result<Response<Order>, Status>",
            "async fn get(&self, request: tonic::Request<GetRequest>) -> Result<tonic::Response<Order>, tonic::Status>",
            "fn get<'life0, 'async_trait>(&'life0 self, request: Request<GetRequest>) -> \
             ::core::pin::Pin<Box<dyn ::core::future::Future<Output = Result<Response<Order>, Status>> \
             + ::core::marker::Send + 'async_trait>>",
            "async fn list(&self, r: Request<Streaming<Item>>) -> Result<Response<Self::ListStream>, Status>",
        ] {
            assert!(is_tonic_method(&sig(src)), "{src}");
        }
        for src in [
            "async fn get(request: Request<Body>) -> Result<Response<Body>, Status>",
            "async fn get(&self, headers: &HeaderMap) -> Result<Response<Body>, Status>",
            "async fn get(&self, request: Request<Body>) -> Result<Response<Body>, StatusCode>",
            "async fn get(&self, request: Request<Body>) -> Response<Body>",
        ] {
            assert!(!is_tonic_method(&sig(src)), "{src}");
        }
    }

    #[test]
    fn tonic_impl_blocks() {
        let block = |src: &str| -> ItemImpl { syn::parse_str(src).unwrap() };
        assert!(is_tonic_impl(&block(
            "#[tonic::async_trait] impl Orders for S { async fn ping(&self) {} }"
        )));
        assert!(is_tonic_impl(&block(
            "impl Orders for S { async fn get(&self, r: Request<G>) -> Result<Response<O>, Status> { todo!() } }"
        )));
        assert!(!is_tonic_impl(&block(
            "impl S { async fn get(&self, r: Request<G>) -> Result<Response<O>, Status> { todo!() } }"
        )));
        assert!(!is_tonic_impl(&block(
            "#[async_trait] impl Tr for S { async fn ping(&self) {} }"
        )));
    }
}
